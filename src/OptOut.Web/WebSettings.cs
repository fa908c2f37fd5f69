namespace OptOut.Web;

/// <summary>Where the pages find the sign-in service and OptOut's API (configuration section "Web").</summary>
public sealed class WebSettings
{
    /// <summary>The OpenID Connect issuer: NHS login in production, the local provider in development.</summary>
    public string Authority { get; set; } = "http://127.0.0.1:5070/";

    public string ClientId { get; set; } = "optout-web";

    public string ApiBaseUrl { get; set; } = "http://127.0.0.1:5080";
}
