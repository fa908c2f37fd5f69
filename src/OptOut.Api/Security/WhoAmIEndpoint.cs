using Microsoft.Extensions.Options;

namespace OptOut.Security;

/// <param name="MayChangeChoices">Whether this sign-in's identity proofing is enough to change a choice (the pages show the questions only then).</param>
/// <param name="MinimumProofingLevelToChange">The level a patient or proxy needs to change a choice (Auth:MinimumProofingLevelToChange).</param>
public sealed record CallerRoles(string Subject, IReadOnlyList<string> Roles, bool MayChangeChoices, string MinimumProofingLevelToChange);

/// <summary>
/// The caller as OptOut sees them: their subject and the roles it admits them in, after any configured mapping of the
/// issuer's own role claims, and whether they may change choices. The pages ask this at sign-in, so they open to exactly
/// the roles the API would admit and offer a change only to whom the API would allow it.
/// </summary>
public static class WhoAmIEndpoint
{
    public static void MapWhoAmI(this IEndpointRouteBuilder api) =>
        api.MapGet("/me", (HttpContext http, IOptions<IdentityAssurance> assurance) => TypedResults.Ok(new CallerRoles(
                Caller.From(http.User).Subject,
                [.. http.User.FindAll(OptOutClaims.Role).Select(c => c.Value).Distinct(StringComparer.Ordinal)],
                assurance.Value.MayChange(Caller.From(http.User)),
                assurance.Value.MinimumProofingLevelToChange)))
            .WithName("WhoAmI")
            .WithSummary("The signed-in caller's subject, the roles OptOut admits them in (after mapping an issuer's own role claims, Auth:RoleClaims), and whether their identity proofing lets them change choices.")
            .Produces<CallerRoles>();
}
