using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace OptOut.Security;

public static class AuthenticationSetup
{
    /// <summary>
    /// Production validates tokens from the OpenID Connect issuer named by Auth:Authority. Where
    /// Auth:DevelopmentSigningKey is set (development and tests only), tokens signed with it (minted by
    /// `infra/optout token`) are accepted too; in development the issuer is the local provider, src/OptOut.Identity.
    /// Issuer, audience, lifetime and signature are always checked.
    /// </summary>
    public static IServiceCollection AddOptOutAuthentication(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var auth = configuration.GetSection("Auth");
        var authority = auth["Authority"];
        var audience = auth["Audience"] ?? "optout";
        var issuer = auth["Issuer"] ?? "optout-dev";
        var developmentKey = auth["DevelopmentSigningKey"];

        if (string.IsNullOrEmpty(authority) && string.IsNullOrEmpty(developmentKey))
        {
            throw new InvalidOperationException("Set Auth:Authority (an OpenID Connect issuer) or Auth:DevelopmentSigningKey.");
        }

        DevelopmentTrust.RefuseOutsideDevelopment(environment, "Auth:Authority", authority, "Auth:DevelopmentSigningKey", developmentKey);

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(jwt =>
        {
            jwt.MapInboundClaims = false;
            jwt.TokenValidationParameters = new TokenValidationParameters
            {
                ValidateIssuer = true,
                ValidateAudience = true,
                ValidAudience = audience,
                ValidateLifetime = true,
                RequireExpirationTime = true,
                ClockSkew = TimeSpan.FromSeconds(30),
                NameClaimType = OptOutClaims.Subject,
                RoleClaimType = OptOutClaims.Role,
            };

            if (!string.IsNullOrEmpty(developmentKey))
            {
                // Development and tests: `infra/optout token` mints tokens signed with this key, issued by Auth:Issuer.
                jwt.TokenValidationParameters.IssuerSigningKey = new SymmetricSecurityKey(Convert.FromBase64String(developmentKey));
                jwt.TokenValidationParameters.ValidIssuers = [issuer];
            }

            if (!string.IsNullOrEmpty(authority))
            {
                // The issuer's own keys and name come from its discovery document, and join the development key if both are set.
                jwt.Authority = authority;
                jwt.RequireHttpsMetadata = !Uri.TryCreate(authority, UriKind.Absolute, out var uri) || !uri.IsLoopback;
            }

            jwt.TokenValidationParameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256, SecurityAlgorithms.RsaSha256];
        });

        services.Configure<RoleClaimMapping>(auth.GetSection("RoleClaims"));
        services.Configure<IdentityAssurance>(auth);
        services.AddTransient<Microsoft.AspNetCore.Authentication.IClaimsTransformation, MappedRoles>();
        services.AddAuthorization();
        return services;
    }
}
