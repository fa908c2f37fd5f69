using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace OptOut.Cli.Tokens;

/// <summary>
/// Mints a development token signed with the local key that `infra/optout` gives the service
/// (Auth__DevelopmentSigningKey). Production tokens come from the OpenID Connect issuer instead.
/// </summary>
public static class TokenCommand
{
    public const string Usage = "optout token --role patient|proxy|pipeline|practice|dpo|admin [--nhs-number N] [--subject S] [--ods-code C] [--birth-date YYYY-MM-DD] [--minutes M]";

    public static int Run(Arguments args, TextWriter output, TextWriter error)
    {
        var key = Environment.GetEnvironmentVariable("Auth__DevelopmentSigningKey");
        var role = args.Value("--role");
        if (string.IsNullOrEmpty(key) || role is null)
        {
            error.WriteLine(string.IsNullOrEmpty(key) ? "Auth__DevelopmentSigningKey is not set (run through infra/optout token)." : "usage: " + Usage);
            return 2;
        }

        var claims = new Dictionary<string, object>
        {
            ["role"] = role,
            ["sub"] = args.Value("--subject") ?? $"dev-{role}",
        };
        AddIfGiven(claims, "nhs_number", args.Value("--nhs-number"));
        AddIfGiven(claims, "ods_code", args.Value("--ods-code"));
        // NHS login tokens carry a birth date; an adult's is the default so a patient token works as given.
        AddIfGiven(claims, "birthdate", args.Value("--birth-date") ?? (role == "patient" ? "1980-01-01" : null));

        var minutes = int.TryParse(args.Value("--minutes"), out var m) ? m : 60;
        output.WriteLine(Mint(key, claims, TimeSpan.FromMinutes(minutes), Environment.GetEnvironmentVariable("Auth__Issuer") ?? "optout-dev", Environment.GetEnvironmentVariable("Auth__Audience") ?? "optout"));
        return 0;
    }

    public static string Mint(string base64Key, IDictionary<string, object> claims, TimeSpan lifetime, string issuer = "optout-dev", string audience = "optout")
    {
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = now,
            NotBefore = now.AddSeconds(-5),
            Expires = now.Add(lifetime),
            Claims = claims,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Convert.FromBase64String(base64Key)), SecurityAlgorithms.HmacSha256),
        });
    }

    private static void AddIfGiven(Dictionary<string, object> claims, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            claims[name] = value;
        }
    }
}
