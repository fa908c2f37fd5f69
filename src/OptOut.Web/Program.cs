using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using OptOut.Web;

var builder = WebApplication.CreateBuilder(args);
// Request and HTTP client logs name addresses, and addresses can hold an NHS number (?for=): only warnings are kept.
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning).AddFilter("System.Net.Http", LogLevel.Warning);
var settings = builder.Configuration.GetSection("Web").Get<WebSettings>() ?? new WebSettings();
// Outside Development only a real issuer over HTTPS is trusted: the development sign-in service signs anyone in as anyone.
if (!builder.Environment.IsDevelopment() && new Uri(settings.Authority).Scheme != Uri.UriSchemeHttps)
{
    await Console.Error.WriteLineAsync($"optout-web: refusing to start in the {builder.Environment.EnvironmentName} environment with Web:Authority {settings.Authority}: only an https issuer is trusted outside Development.");
    return 1;
}

builder.Services.AddSingleton(settings);
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddRazorPages(pages =>
{
    pages.Conventions.AuthorizeFolder("/Choices");
    // Staff pages are open to the roles docs/authorization.md names for the API calls behind them, and to no one else.
    pages.Conventions.AuthorizeFolder("/Staff/Record", StaffPolicies.RecordChoices);
    pages.Conventions.AuthorizeFolder("/Staff/Audit", StaffPolicies.ReadAudit);
    pages.Conventions.AuthorizeFolder("/Staff/Statistics", StaffPolicies.ReadStatistics);
    pages.Conventions.AuthorizeFolder("/Staff/Operations", StaffPolicies.SeeOperations);
});
builder.Services.AddAuthorizationBuilder()
    .AddPolicy(StaffPolicies.RecordChoices, policy => policy.RequireRole("admin"))
    .AddPolicy(StaffPolicies.ReadAudit, policy => policy.RequireRole("dpo"))
    .AddPolicy(StaffPolicies.ReadStatistics, policy => policy.RequireRole("dpo"))
    .AddPolicy(StaffPolicies.SeeOperations, policy => policy.RequireRole("admin", "dpo"));
builder.Services.AddAuthentication(auth =>
    {
        auth.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
        auth.DefaultChallengeScheme = OpenIdConnectDefaults.AuthenticationScheme;
    })
    .AddCookie(cookie =>
    {
        // The session: HttpOnly, SameSite and Secure, always (browsers keep Secure cookies from loopback addresses over
        // HTTP too). The antiforgery cookie follows the request's scheme: ASP.NET refuses a Secure one over plain HTTP.
        cookie.Cookie.Name = "optout-session";
        cookie.Cookie.HttpOnly = true;
        cookie.Cookie.SameSite = SameSiteMode.Lax;
        cookie.Cookie.SecurePolicy = CookieSecurePolicy.Always;
        cookie.ExpireTimeSpan = ServerSessions.IdleLimit;
        // A signed-in person without the role gets 403 and the refusal page at the address they asked for (the status page
        // re-executes below), never a redirect to a page that answers 200.
        cookie.Events.OnRedirectToAccessDenied = context =>
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        };
        cookie.SlidingExpiration = true;
    })
    .AddOpenIdConnect(oidc =>
    {
        oidc.Authority = settings.Authority;
        oidc.RequireHttpsMetadata = !new Uri(settings.Authority).IsLoopback;
        oidc.ClientId = settings.ClientId;
        oidc.ResponseType = "code";
        oidc.UsePkce = true;
        // The code comes back in the query string: no auto-submitting form, so sign-in works without JavaScript.
        oidc.ResponseMode = "query";
        oidc.Scope.Clear();
        oidc.Scope.Add("openid");
        oidc.Scope.Add("profile");
        oidc.Scope.Add("optout");

        // The access token is what the pages call OptOut's API with.
        oidc.SaveTokens = true;
        oidc.MapInboundClaims = false;
        oidc.TokenValidationParameters.NameClaimType = "name";
        oidc.TokenValidationParameters.RoleClaimType = "role";

        // A callback that cannot complete (a replayed or forged state, a refusal at the sign-in service) is the person's
        // to retry: a 400 and the error page's advice, never a 500. When it is the API that could not answer (a database
        // failover, say), a 503 and advice to wait a minute: the sign-in itself was fine.
        oidc.Events.OnRemoteFailure = context =>
        {
            context.HandleResponse();
            context.Response.StatusCode = SignInFailure.StatusOf(context.HttpContext);
            return Task.CompletedTask;
        };

        // Roles come from the API, not from the ID token: the API maps the issuer's own role claims (NHS CIS2's
        // nhsid_nrbac_roles, say) as configured, so pages and API admit exactly the same people. No answer, no sign-in.
        oidc.Events.OnTokenValidated = async context =>
        {
            Read<SignedIn>? answer = null;
            try
            {
                answer = context.TokenEndpointResponse?.AccessToken is { } token
                    ? await context.HttpContext.RequestServices.GetRequiredService<OptOutApi>().WhoAmIAsync(token, context.HttpContext.RequestAborted)
                    : null;
            }
            catch (HttpRequestException)
            {
                // The API is unreachable: no roles are known, so no sign-in (below), rather than a session with none.
                SignInFailure.ApiUnavailable(context.HttpContext);
            }

            if (answer is { Value: null } && SignInFailure.IsUnavailable(answer.Status))
            {
                SignInFailure.ApiUnavailable(context.HttpContext);
            }

            if (answer?.Value is not { } admitted || context.Principal?.Identity is not System.Security.Claims.ClaimsIdentity identity)
            {
                context.Fail("OptOut's API did not say which roles this sign-in holds.");
                return;
            }

            foreach (var claim in identity.FindAll("role").Concat(identity.FindAll(Person.MayChangeClaim)).ToList())
            {
                identity.RemoveClaim(claim);
            }

            identity.AddClaims(admitted.Roles.Select(role => new System.Security.Claims.Claim("role", role)));
            identity.AddClaim(new System.Security.Claims.Claim(Person.MayChangeClaim, admitted.MayChangeChoices ? "true" : "false"));
        };
    });
ServerSessions.Use(builder.Services);
builder.Services.AddHttpClient<OptOutApi>(http => http.BaseAddress = new Uri(settings.ApiBaseUrl));
builder.Services.AddHttpContextAccessor();

var app = builder.Build();
app.UseStatusCodePagesWithReExecute("/Error", "?status={0}");
app.UseExceptionHandler("/Error");
app.Use(async (http, next) =>
{
    // No inline script or style anywhere, so the policy needs no 'unsafe-inline'.
    http.Response.Headers.ContentSecurityPolicy =
        $"default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self' {new Uri(settings.Authority).GetLeftPart(UriPartial.Authority)}";
    http.Response.Headers.XContentTypeOptions = "nosniff";
    // frame-ancestors above says it to current browsers; X-Frame-Options says it to older ones.
    http.Response.Headers.XFrameOptions = "DENY";
    http.Response.Headers["Referrer-Policy"] = "no-referrer";
    await next(http);
});
app.UseStaticFiles();
app.UseRouting();
app.UseAuthentication();
app.UseAuthorization();
app.MapRazorPages();
await app.RunAsync();
return 0;
