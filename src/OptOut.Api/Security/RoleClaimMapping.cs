using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace OptOut.Security;

/// <summary>
/// Where a staff issuer names roles in its own claims rather than OptOut's "role" claim: NHS CIS2 sends each role a person
/// holds in `nhsid_nrbac_roles`, as objects whose `role_code` reads like "S8000:G8000:R8003". Which of those codes makes
/// someone a data-protection officer or contact-centre staff is local policy, so it is configuration (Auth:RoleClaims).
/// </summary>
public sealed class RoleClaimMapping
{
    /// <summary>The claim holding the issuer's roles, for example "nhsid_nrbac_roles". Unset: no mapping.</summary>
    public string? ClaimType { get; set; }

    /// <summary>When the claim's values are JSON objects, the property holding the role code, for example "role_code".</summary>
    public string? ValueProperty { get; set; }

    /// <summary>A role code (whole, or its last ':'-separated part) to the OptOut role it grants.</summary>
    public Dictionary<string, string> Roles { get; set; } = [];

    /// <summary>The OptOut roles a principal's issuer claims grant.</summary>
    public IEnumerable<string> RolesOf(ClaimsPrincipal user) =>
        string.IsNullOrEmpty(ClaimType)
            ? []
            : user.FindAll(ClaimType).SelectMany(c => Codes(c.Value)).SelectMany(Granted).Distinct(StringComparer.Ordinal);

    private IEnumerable<string> Granted(string code)
    {
        if (Roles.TryGetValue(code, out var whole))
        {
            yield return whole;
        }
        else if (Roles.TryGetValue(code[(code.LastIndexOf(':') + 1)..], out var last))
        {
            yield return last;
        }
    }

    private IEnumerable<string> Codes(string value)
    {
        if (string.IsNullOrEmpty(ValueProperty) || !value.TrimStart().StartsWith('{'))
        {
            return [value];
        }

        try
        {
            using var json = JsonDocument.Parse(value);
            return json.RootElement.TryGetProperty(ValueProperty, out var code) && code.ValueKind == JsonValueKind.String ? [code.GetString()!] : [];
        }
        catch (JsonException)
        {
            // A claim that is not the JSON the issuer documents grants nothing.
            return [];
        }
    }
}

/// <summary>Adds the roles <see cref="RoleClaimMapping"/> grants as "role" claims, so every check reads one claim whoever issued the token.</summary>
public sealed class MappedRoles(IOptions<RoleClaimMapping> mapping) : IClaimsTransformation
{
    public Task<ClaimsPrincipal> TransformAsync(ClaimsPrincipal principal)
    {
        var missing = mapping.Value.RolesOf(principal).Where(role => !principal.HasClaim(OptOutClaims.Role, role)).ToList();
        if (missing.Count > 0 && principal.Identity is ClaimsIdentity identity)
        {
            identity.AddClaims(missing.Select(role => new Claim(OptOutClaims.Role, role)));
        }

        return Task.FromResult(principal);
    }
}
