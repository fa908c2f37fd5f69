using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace OptOut.Security;

public static class AuthenticationSetup
{
    /// <summary>
    /// Production validates tokens from the OpenID Connect issuer named by Auth:Authority. Without one,
    /// tokens signed with Auth:DevelopmentSigningKey (minted by `infra/optout token`) are accepted.
    /// Issuer, audience, lifetime and signature are always checked.
    /// </summary>
    public static IServiceCollection AddOptOutAuthentication(this IServiceCollection services, IConfiguration configuration)
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

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(jwt =>
        {
            jwt.MapInboundClaims = false;
            jwt.TokenValidationParameters = new TokenValidationParameters
            {
                ValidateIssuer = true,
                ValidIssuer = string.IsNullOrEmpty(authority) ? issuer : authority,
                ValidateAudience = true,
                ValidAudience = audience,
                ValidateLifetime = true,
                RequireExpirationTime = true,
                ClockSkew = TimeSpan.FromSeconds(30),
                NameClaimType = OptOutClaims.Subject,
                RoleClaimType = OptOutClaims.Role,
            };

            if (string.IsNullOrEmpty(authority))
            {
                jwt.TokenValidationParameters.IssuerSigningKey = new SymmetricSecurityKey(Convert.FromBase64String(developmentKey!));
                jwt.TokenValidationParameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
            }
            else
            {
                jwt.Authority = authority;
            }
        });

        services.AddAuthorization();
        return services;
    }
}
