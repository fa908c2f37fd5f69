using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OptOut.Identity;

/// <summary>The one client, OptOut's web pages: a public client that must use PKCE, as NHS login's own clients do.</summary>
public static class Clients
{
    public const string WebClientId = "optout-web";

    public static async Task RegisterAsync(IServiceProvider services, IdentitySettings settings)
    {
        await using var scope = services.CreateAsyncScope();
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        var client = new OpenIddictApplicationDescriptor
        {
            ClientId = WebClientId,
            ClientType = ClientTypes.Public,
            DisplayName = "OptOut web pages",
            Permissions =
            {
                Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.Endpoints.EndSession,
                Permissions.GrantTypes.AuthorizationCode, Permissions.ResponseTypes.Code,
                Permissions.Scopes.Profile, Permissions.Prefixes.Scope + "optout",
            },
            Requirements = { Requirements.Features.ProofKeyForCodeExchange },
        };
        foreach (var web in settings.WebBaseUrls)
        {
            client.RedirectUris.Add(new Uri(web.TrimEnd('/') + "/signin-oidc"));
            client.PostLogoutRedirectUris.Add(new Uri(web.TrimEnd('/') + "/signout-callback-oidc"));
        }

        await applications.CreateAsync(client);
    }
}
