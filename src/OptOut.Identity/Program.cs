using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using OptOut.Identity;
using static OpenIddict.Abstractions.OpenIddictConstants;

var builder = WebApplication.CreateBuilder(args);

// A stand-in for NHS login: it signs anyone in as any test identity, so it must never run where real people are.
if (builder.Environment.IsProduction())
{
    await Console.Error.WriteLineAsync("optout-identity: refusing to start in the Production environment: it signs anyone in as a test identity.");
    return 1;
}

var settings = builder.Configuration.GetSection("Identity").Get<IdentitySettings>() ?? new IdentitySettings();
builder.Services.AddDbContext<DbContext>(db => db.UseInMemoryDatabase("optout-identity").UseOpenIddict());
builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(cookie =>
{
    cookie.LoginPath = "/signin";
    cookie.Cookie.Name = "optout-identity";
    cookie.Cookie.HttpOnly = true;
    cookie.Cookie.SameSite = SameSiteMode.Lax;
    cookie.Cookie.SecurePolicy = CookieSecurePolicy.Always;
});
builder.Services.AddAntiforgery();
builder.Services.AddOpenIddict()
    .AddCore(core => core.UseEntityFrameworkCore().UseDbContext<DbContext>())
    .AddServer(server =>
    {
        server.SetIssuer(new Uri(settings.Issuer));
        server.SetAuthorizationEndpointUris("connect/authorize")
            .SetTokenEndpointUris("connect/token")
            .SetEndSessionEndpointUris("connect/endsession");
        // As NHS login: the authorization code flow, with PKCE.
        server.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
        // S256 only: with "plain" (which OpenIddict allows by default) the challenge is the verifier, so anyone who sees
        // the authorization request can redeem its code (RFC 9700, 2.1.1).
        server.Configure(options => options.CodeChallengeMethods.Remove(CodeChallengeMethods.Plain));
        server.RegisterScopes(Scopes.OpenId, Scopes.Profile, "optout");
        server.RegisterClaims("nhs_number", "birthdate", "identity_proofing_level", "role");
        // Kept in the user's certificate store, so tokens stay valid across restarts of the provider.
        server.AddDevelopmentEncryptionCertificate().AddDevelopmentSigningCertificate();
        // OptOut's API reads its access tokens as plain signed JWTs, as it would NHS login's.
        server.DisableAccessTokenEncryption();
        server.UseAspNetCore()
            .EnableAuthorizationEndpointPassthrough()
            .EnableEndSessionEndpointPassthrough()
            // Loopback only, in development: the provider and its clients speak plain HTTP on 127.0.0.1.
            .DisableTransportSecurityRequirement();
    });

var app = builder.Build();
await Clients.RegisterAsync(app.Services, settings);

app.UseAuthentication();
app.UseAntiforgery();
app.MapSignIn();
app.MapAuthorization();
app.MapGet("/health", () => "ok");
await app.RunAsync();
return 0;
