using System.Security.Claims;

namespace OptOut.Web;

/// <summary>The signed-in person, as NHS login (or the local provider) describes them.</summary>
public sealed record Person(string Name, string? NhsNumber, string ProofingLevel, bool IsProxy)
{
    public static Person From(ClaimsPrincipal user) => new(
        user.FindFirstValue("name") ?? "",
        user.FindFirstValue("nhs_number"),
        user.FindFirstValue("identity_proofing_level") ?? "P0",
        user.FindFirstValue("role") == "proxy");

    /// <summary>
    /// The record a page is about: a patient's own, always (a number in the address is ignored); for a proxy, the one
    /// they chose to act for, which the API checks against the authority staff recorded.
    /// </summary>
    public string? RecordFor(string? actingFor) => IsProxy ? actingFor : NhsNumber;

    /// <summary>NHS login levels: P0 none, P5 basic, P9 high (photo ID checked).</summary>
    public bool MayChange(string minimum) => Level(ProofingLevel) >= Level(minimum);

    private static int Level(string level) => int.TryParse(level.TrimStart('P'), out var n) ? n : 0;
}
