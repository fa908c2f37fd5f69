namespace OptOut.Identity;

/// <summary>Where the provider runs and which clients may sign people in through it.</summary>
public sealed class IdentitySettings
{
    public string Issuer { get; set; } = "http://127.0.0.1:5070/";

    /// <summary>The web front ends' base addresses: each gets /signin-oidc and /signout-callback-oidc.</summary>
    public List<string> WebBaseUrls { get; set; } = ["http://127.0.0.1:5090"];
}
