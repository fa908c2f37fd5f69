namespace OptOut.Security;

public sealed record CallerRoles(string Subject, IReadOnlyList<string> Roles);

/// <summary>
/// The caller as OptOut sees them: their subject and the roles it admits them in, after any configured mapping of the
/// issuer's own role claims. The pages ask this at sign-in, so they open to exactly the roles the API would admit.
/// </summary>
public static class WhoAmIEndpoint
{
    public static void MapWhoAmI(this IEndpointRouteBuilder api) =>
        api.MapGet("/me", (HttpContext http) => TypedResults.Ok(new CallerRoles(
                Caller.From(http.User).Subject,
                [.. http.User.FindAll(OptOutClaims.Role).Select(c => c.Value).Distinct(StringComparer.Ordinal)])))
            .WithName("WhoAmI")
            .WithSummary("The signed-in caller's subject and the roles OptOut admits them in (after mapping an issuer's own role claims, Auth:RoleClaims).")
            .Produces<CallerRoles>();
}
