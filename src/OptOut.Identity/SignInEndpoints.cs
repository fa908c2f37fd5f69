using System.Net;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace OptOut.Identity;

/// <summary>
/// The provider's own sign-in page: pick a test identity. Clearly marked, so no one mistakes it for NHS login. Plain
/// server-rendered HTML with labelled radio buttons, so it works by keyboard and without JavaScript.
/// </summary>
public static class SignInEndpoints
{
    public const string IdentityClaim = "test_identity";

    public static void MapSignIn(this IEndpointRouteBuilder app)
    {
        app.MapGet("/signin", (HttpContext http, IAntiforgery antiforgery, string? returnUrl) =>
            Results.Content(Page(antiforgery.GetAndStoreTokens(http), Safe(returnUrl), error: null), "text/html; charset=utf-8"));

        app.MapPost("/signin", async (HttpContext http, IAntiforgery antiforgery) =>
        {
            var form = await http.Request.ReadFormAsync();
            var returnUrl = Safe(form["returnUrl"]);
            if (TestIdentities.Find(form["identity"]) is not { } identity)
            {
                http.Response.StatusCode = StatusCodes.Status400BadRequest;
                return Results.Content(Page(antiforgery.GetAndStoreTokens(http), returnUrl, "Select who to sign in as"), "text/html; charset=utf-8", statusCode: 400);
            }

            var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim(IdentityClaim, identity.Id)], CookieAuthenticationDefaults.AuthenticationScheme));
            await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal);
            return Results.LocalRedirect(returnUrl);
        });
    }

    /// <summary>Only back into this provider's authorization endpoint, as printable ASCII: never an open redirect or a split header.</summary>
    private static string Safe(string? returnUrl) =>
        returnUrl is not null && returnUrl.StartsWith("/connect/authorize", StringComparison.Ordinal) && returnUrl.All(c => c is > ' ' and < '\u007F')
            ? returnUrl
            : "/";

    private static string Page(AntiforgeryTokenSet tokens, string returnUrl, string? error)
    {
        var html = new StringBuilder();
        html.Append($"""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{(error is null ? "" : "Error: ")}Sign in with a test identity - OptOut development sign-in</title></head>
            <body>
            <main>
            <h1>Sign in with a test identity</h1>
            <p><strong>Development only.</strong> This page stands in for NHS login. It signs you in as a made-up person, without checking who you are.</p>
            """);
        if (error is not null)
        {
            html.Append($"""<div role="alert"><h2>There is a problem</h2><p><a href="#identity-{TestIdentities.All[0].Id}">{WebUtility.HtmlEncode(error)}</a></p></div>""");
        }

        html.Append($"""
            <form method="post" action="/signin" novalidate>
            <input type="hidden" name="{tokens.FormFieldName}" value="{WebUtility.HtmlEncode(tokens.RequestToken)}">
            <input type="hidden" name="returnUrl" value="{WebUtility.HtmlEncode(returnUrl)}">
            <fieldset><legend>Who do you want to sign in as?</legend>
            """);
        foreach (var identity in TestIdentities.All)
        {
            html.Append($"""
                <div><input type="radio" name="identity" id="identity-{identity.Id}" value="{identity.Id}">
                <label for="identity-{identity.Id}">{WebUtility.HtmlEncode(identity.Name)}: {WebUtility.HtmlEncode(identity.Description)}</label></div>
                """);
        }

        html.Append("""</fieldset><button type="submit">Sign in</button></form></main></body></html>""");
        return html.ToString();
    }
}
