using System.Security.Claims;

namespace OptOut.Web;

/// <summary>The signed-in person, as NHS login (or the local provider) describes them.</summary>
public sealed record Person(string Name, string? NhsNumber, bool MayChange, bool IsProxy)
{
    /// <summary>Set at sign-in from the API's answer (GET /v1/me), so the pages offer a change only to whom the API allows one.</summary>
    public const string MayChangeClaim = "optout_may_change_choices";

    public static Person From(ClaimsPrincipal user) => new(
        user.FindFirstValue("name") ?? "",
        user.FindFirstValue("nhs_number"),
        user.FindFirstValue(MayChangeClaim) == "true",
        user.FindFirstValue("role") == "proxy");

    /// <summary>
    /// The record a page is about: a patient's own, always (a number in the address is ignored); for a proxy, the one
    /// they chose to act for, which the API checks against the authority staff recorded.
    /// </summary>
    public string? RecordFor(string? actingFor) => IsProxy ? actingFor : NhsNumber;
}
