using System.Security.Claims;
using OptOut.NhsNumbers;

namespace OptOut.Security;

/// <summary>The authenticated caller, as the token describes them.</summary>
public sealed record Caller(string Subject, string Role, string? NhsNumber)
{
    public static Caller From(ClaimsPrincipal user) => new(
        user.FindFirstValue(OptOutClaims.Subject) ?? "",
        user.FindFirstValue(OptOutClaims.Role) ?? "",
        user.FindFirstValue(OptOutClaims.NhsNumber));

    /// <summary>Object-level authorization: a patient reaches only their own record; staff roles reach any.</summary>
    public bool MayAccess(NhsNumber patient) =>
        Role != Roles.Patient || (NhsNumber is not null && NhsNumber == patient.Value);
}
