using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OptOut.Identity;

/// <summary>
/// The authorization and end-session endpoints, after OpenIddict has validated the request: who is signed in here
/// becomes the tokens' subject, with the claims NHS login gives (nhs_number, birthdate, identity_proofing_level).
/// </summary>
public static class AuthorizationEndpoints
{
    public static void MapAuthorization(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/connect/authorize", ["GET", "POST"], (Delegate)AuthorizeAsync);
        app.MapMethods("/connect/endsession", ["GET", "POST"], async (HttpContext http) =>
        {
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            // OpenIddict sends the browser back to the client's registered post-logout address.
            return Results.SignOut(authenticationSchemes: [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
        });
    }

    private static async Task<IResult> AuthorizeAsync(HttpContext http)
    {
        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        var session = await http.AuthenticateAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        if (!session.Succeeded || request.HasPromptValue(PromptValues.Login)
            || TestIdentities.Find(session.Principal.FindFirstValue(SignInEndpoints.IdentityClaim)) is not { } person)
        {
            return Results.Challenge(new AuthenticationProperties { RedirectUri = http.Request.PathBase + http.Request.Path + http.Request.QueryString },
                [CookieAuthenticationDefaults.AuthenticationScheme]);
        }

        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, person.Id)
            .SetClaim(Claims.Name, person.Name)
            .SetClaim("role", person.Role)
            .SetClaim("identity_proofing_level", person.ProofingLevel);
        if (person.NhsNumber is not null)
        {
            identity.SetClaim("nhs_number", person.NhsNumber).SetClaim("birthdate", person.BirthDate);
        }

        identity.SetScopes(request.GetScopes());
        // The access token is for OptOut's API, whose audience is "optout".
        identity.SetResources("optout");
        identity.SetDestinations(_ => [Destinations.AccessToken, Destinations.IdentityToken]);
        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }
}
