using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace OptOut.IntegrationTests.Browser;

/// <summary>
/// Sessions end when people sign out, here and at the sign-in service; a callback that cannot complete is a page that
/// says so; the sign-in service takes only S256 and never redirects on a header it cannot write.
/// </summary>
[Collection(BrowserGroup.Name)]
public partial class SessionTests(BrowserJourneys app)
{
    [Fact]
    public async Task A_copied_session_cookie_opens_nothing_after_sign_out()
    {
        var page = await app.NewPageAsync();
        await page.GotoAsync(new Uri(app.Web, "/Choices").ToString());
        await Journeys.SignInAsync(page, "adult-patient");
        var session = (await page.Context.CookiesAsync()).Single(c => c.Name == "optout-session");
        using var copy = CopiedSession(session.Value);
        Assert.Equal(HttpStatusCode.OK, (await copy.GetAsync("/Choices")).StatusCode);

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("/signed-out", StringComparison.Ordinal));

        // The copy taken before signing out is now refused: the server no longer holds the session it names.
        var after = await copy.GetAsync("/Choices");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith(new Uri(app.Identity, "/connect/authorize").ToString(), after.Headers.Location!.ToString(), StringComparison.Ordinal);

        // And the sign-in service's own session ended too: the next sign-in asks who you are again.
        await page.GotoAsync(new Uri(app.Web, "/Choices").ToString());
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in with a test identity" })).ToBeVisibleAsync();
    }

    [Theory]
    [InlineData("/signin-oidc?code=forged&state=garbage")]
    [InlineData("/signin-oidc?error=access_denied&state=garbage")]
    [InlineData("/signin-oidc")]
    public async Task A_sign_in_callback_that_cannot_complete_is_a_page_saying_so(string callback)
    {
        var page = await app.NewPageAsync();
        var response = await page.GotoAsync(new Uri(app.Web, callback).ToString());

        Assert.Equal(400, response!.Status);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Signing in did not work");
        await Journeys.AssertAccessibleAsync(page, "sign-in-failed");
    }

    [Fact]
    public async Task A_sign_in_while_the_API_cannot_answer_says_to_wait_and_sign_in_again_not_that_signing_in_failed()
    {
        // The sign-in service and the pages up; the API down (nothing listens where the pages look for it), as between a
        // database failover's kill and the promotion, when the API answers 503 to the pages' question of who signed in.
        var signIn = new Uri($"http://127.0.0.1:{Infrastructure.TestServers.FreeTcpPort()}/");
        var web = new Uri($"http://127.0.0.1:{Infrastructure.TestServers.FreeTcpPort()}");
        using var identity = await BrowserJourneys.LaunchAsync("OptOut.Identity", signIn, new()
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development", ["Identity__Issuer"] = signIn.ToString(), ["Identity__WebBaseUrls__0"] = web.ToString(),
        }, "/health");
        using var pages = await BrowserJourneys.LaunchAsync("OptOut.Web", web, new()
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development", ["Web__Authority"] = signIn.ToString(),
            ["Web__ApiBaseUrl"] = $"http://127.0.0.1:{Infrastructure.TestServers.FreeTcpPort()}/",
        }, "/");
        try
        {
            var page = await app.NewPageAsync();
            await page.GotoAsync(new Uri(web, "/Choices").ToString());
            await page.Locator("#identity-adult-patient").CheckAsync();
            var callback = await page.RunAndWaitForResponseAsync(
                () => page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync(), r => r.Url.Contains("/signin-oidc", StringComparison.Ordinal));

            Assert.Equal(503, callback.Status);
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Sorry, the service is not available just now");
            await Assertions.Expect(page.GetByText("Wait a minute, then sign in again.")).ToBeVisibleAsync();
            await Journeys.AssertAccessibleAsync(page, "sign-in-unavailable");
        }
        finally
        {
            foreach (var process in new[] { pages, identity })
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
    }

    [Fact]
    public async Task The_sign_in_service_refuses_the_plain_PKCE_method()
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = app.Identity };
        var query = $"client_id=optout-web&response_type=code&scope=openid&redirect_uri={Uri.EscapeDataString(new Uri(app.Web, "/signin-oidc").ToString())}" +
                    "&state=s&nonce=n&code_challenge=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa&code_challenge_method=";

        var plain = await client.GetAsync("/connect/authorize?" + query + "plain");
        var s256 = await client.GetAsync("/connect/authorize?" + query + "S256");

        var refusal = Uri.UnescapeDataString(plain.Headers.Location?.ToString() ?? await plain.Content.ReadAsStringAsync());
        Assert.Contains("invalid_request", refusal, StringComparison.Ordinal);
        Assert.Contains("code_challenge_method", refusal, StringComparison.Ordinal);
        // S256 goes on to the sign-in page: it is only plain that is refused.
        Assert.Contains("/signin", s256.Headers.Location?.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_return_address_with_a_line_break_cannot_split_the_sign_in_services_redirect()
    {
        var cookies = new CookieContainer();
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies }) { BaseAddress = app.Identity };
        var form = await client.GetStringAsync("/signin?returnUrl=" + Uri.EscapeDataString("/connect/authorize\r\nSet-Cookie: x=1"));
        var token = AntiforgeryToken().Match(form).Groups[1].Value;

        var posted = await client.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
            ["identity"] = "adult-patient",
            ["returnUrl"] = "/connect/authorize\r\nSet-Cookie: x=1",
        }));

        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        Assert.Equal("/", posted.Headers.Location?.ToString());
    }

    private HttpClient CopiedSession(string value)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = app.Web };
        client.DefaultRequestHeaders.Add("Cookie", $"optout-session={value}");
        return client;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
