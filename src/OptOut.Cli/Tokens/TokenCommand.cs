using System.CommandLine;
using System.Globalization;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OptOut.NhsNumbers;

namespace OptOut.Cli.Tokens;

/// <summary>
/// Mints a development token signed with the local key that `infra/optout` gives the service
/// (Auth__DevelopmentSigningKey). Production tokens come from the OpenID Connect issuer instead.
/// </summary>
public static class TokenCommand
{
    /// <summary>The roles the service knows; any other would mint a token that is refused everywhere.</summary>
    public static readonly string[] Roles = ["patient", "proxy", "pipeline", "practice", "dpo", "admin"];

    public static Command Create(TextWriter output, TextWriter error)
    {
        var role = new Option<string>("--role") { Description = "The caller's role.", Required = true };
        role.AcceptOnlyFromAmong(Roles);
        var nhsNumber = new Option<string>("--nhs-number") { Description = "A patient's NHS number (required for --role patient)." };
        nhsNumber.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string>() is { } given && !NhsNumber.TryParse(given, out _, out var problem))
            {
                r.AddError($"--nhs-number: {problem}");
            }
        });
        var subject = new Option<string>("--subject") { Description = "The token's subject (required for --role proxy: the proxy id staff authorised). Defaults to one of its own per role and record." };
        var odsCode = new Option<string>("--ods-code") { Description = "A GP practice's ODS code (role practice)." };
        var birthDate = new Option<DateOnly?>("--birth-date") { Description = "A patient's birth date, YYYY-MM-DD (default 1980-01-01)." };
        var proofing = new Option<string>("--proofing-level") { Description = "NHS login's identity proofing level: P0, P5 or P9 (default P9, which may change choices).", DefaultValueFactory = _ => "P9" };
        proofing.AcceptOnlyFromAmong("P0", "P5", "P9");
        var minutes = new Option<int>("--minutes") { Description = "Lifetime in minutes (1 to 1440).", DefaultValueFactory = _ => 60 };
        minutes.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 1 or > 1440)
            {
                r.AddError("--minutes is a whole number from 1 to 1440.");
            }
        });

        var command = new Command("token", "Mint a development token (printed as the last line).") { role, nhsNumber, subject, odsCode, birthDate, proofing, minutes };
        command.Validators.Add(r =>
        {
            var chosen = r.GetValue(role);
            if (chosen == "patient" && r.GetValue(nhsNumber) is null)
            {
                r.AddError("--role patient needs --nhs-number.");
            }

            if (chosen == "proxy" && r.GetValue(subject) is null)
            {
                r.AddError("--role proxy needs --subject: the proxy id that staff authorised for the patient.");
            }
        });
        command.SetAction(parsed =>
        {
            var key = Environment.GetEnvironmentVariable("Auth__DevelopmentSigningKey");
            if (string.IsNullOrEmpty(key))
            {
                error.WriteLine("optout token: Auth__DevelopmentSigningKey is not set (run it as infra/optout token).");
                return ExitCodes.Usage;
            }

            var chosenRole = parsed.GetValue(role)!;
            var patient = parsed.GetValue(nhsNumber) is { } n ? NhsNumber.Parse(n).Value : null;
            var claims = new Dictionary<string, object>
            {
                ["role"] = chosenRole,
                // Distinct subjects: idempotency keys are scoped by subject, so two callers must never share one.
                ["sub"] = parsed.GetValue(subject) ?? $"dev-{chosenRole}-{patient ?? parsed.GetValue(odsCode) ?? Guid.NewGuid().ToString("N")[..12]}",
            };
            AddIfGiven(claims, "nhs_number", patient);
            AddIfGiven(claims, "ods_code", parsed.GetValue(odsCode));
            // A person's sign-in says how well their identity was checked; staff and systems are vouched for by their issuer.
            AddIfGiven(claims, "identity_proofing_level", chosenRole is "patient" or "proxy" ? parsed.GetValue(proofing) : null);
            // NHS login tokens carry a birth date; an adult's is the default so a patient token works as given.
            AddIfGiven(claims, "birthdate", (parsed.GetValue(birthDate) ?? (chosenRole == "patient" ? new DateOnly(1980, 1, 1) : null))?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));

            output.WriteLine(Mint(key, claims, TimeSpan.FromMinutes(parsed.GetValue(minutes)),
                Environment.GetEnvironmentVariable("Auth__Issuer") ?? "optout-dev", Environment.GetEnvironmentVariable("Auth__Audience") ?? "optout"));
            return ExitCodes.Done;
        });
        return command;
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
