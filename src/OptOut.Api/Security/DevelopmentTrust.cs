namespace OptOut.Security;

/// <summary>
/// Outside Development the service trusts only a real issuer over HTTPS. A development signing key lets whoever holds it
/// mint any token, and the development sign-in service (plain HTTP on loopback) signs anyone in as anyone: either one
/// trusted in Production would open every record, so the process refuses to start instead.
/// </summary>
public static class DevelopmentTrust
{
    public static void RefuseOutsideDevelopment(IHostEnvironment environment, string authorityKey, string? authority, string? developmentKeyName = null, string? developmentKey = null)
    {
        if (environment.IsDevelopment())
        {
            return;
        }

        if (!string.IsNullOrEmpty(developmentKey))
        {
            throw new InvalidOperationException(
                $"{developmentKeyName} is set in the {environment.EnvironmentName} environment: development tokens are accepted only in Development. Unset it, or run with ASPNETCORE_ENVIRONMENT=Development.");
        }

        if (!string.IsNullOrEmpty(authority) && (!Uri.TryCreate(authority, UriKind.Absolute, out var issuer) || issuer.Scheme != Uri.UriSchemeHttps))
        {
            throw new InvalidOperationException(
                $"{authorityKey} is {authority}, not an https issuer: outside Development only a real OpenID Connect issuer is trusted (the development sign-in service signs anyone in).");
        }
    }
}
