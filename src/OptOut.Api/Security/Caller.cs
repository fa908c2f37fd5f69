using System.Globalization;
using System.Security.Claims;
using OptOut.Records;

namespace OptOut.Security;

/// <summary>The authenticated caller, as the token describes them.</summary>
public sealed record Caller(string Subject, string Role, string? NhsNumber, DateOnly? BirthDate, string? OdsCode, string? ProofingLevel = null)
{
    public static Caller From(ClaimsPrincipal user) => new(
        user.FindFirstValue(OptOutClaims.Subject) ?? "",
        user.FindFirstValue(OptOutClaims.Role) ?? "",
        user.FindFirstValue(OptOutClaims.NhsNumber),
        DateOnly.TryParseExact(user.FindFirstValue(OptOutClaims.BirthDate), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var born) ? born : null,
        user.FindFirstValue(OptOutClaims.OdsCode),
        user.FindFirstValue(IdentityAssurance.Claim));

    public bool IsPatient => Role == Roles.Patient;

    public bool IsProxy => Role == Roles.Proxy;

    /// <summary>A patient decides for themselves from their 13th birthday (<see cref="RecordRules.AgeOfSelfDecision"/>).</summary>
    public bool IsUnder13At(DateTimeOffset now) =>
        BirthDate is { } born && RecordRules.SelfDecisionFrom(born) > now;
}
