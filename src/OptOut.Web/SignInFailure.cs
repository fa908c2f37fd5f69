namespace OptOut.Web;

/// <summary>
/// Why a sign-in's callback could not complete, as the status its error page is shown with: 503 when OptOut's API could
/// not answer who the person is (unreachable, or itself unavailable, as while a database failover runs), so the page
/// says to wait and try again; 400 for everything else (a replayed or forged callback, a refusal at the sign-in service).
/// </summary>
public static class SignInFailure
{
    private const string Key = "optout-signin-api-unavailable";

    public static void ApiUnavailable(HttpContext http) => http.Items[Key] = true;

    public static bool IsUnavailable(int status) => status is StatusCodes.Status502BadGateway or StatusCodes.Status503ServiceUnavailable or StatusCodes.Status504GatewayTimeout;

    public static int StatusOf(HttpContext http) => http.Items.ContainsKey(Key) ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status400BadRequest;
}
