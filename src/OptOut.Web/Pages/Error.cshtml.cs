using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace OptOut.Web.Pages;

/// <summary>What a person sees when a page cannot be shown: plain words, never a stack trace.</summary>
public sealed class ErrorModel : PageModel
{
    public string Heading { get; private set; } = "Sorry, there is a problem with the service";

    public string Advice { get; private set; } = "Try again later. Your choices have not been lost.";

    private string? OriginalPath => HttpContext.Features.Get<IStatusCodeReExecuteFeature>()?.OriginalPath;

    public void OnGet(int? status)
    {
        (Heading, Advice) = status switch
        {
            400 => ("Signing in did not work", "The sign-in may have taken too long, or the link was already used. Go back to the start and sign in again."),
            404 => ("Page not found", "If you typed the web address, check it is correct."),
            503 when OriginalPath?.StartsWith("/signin-oidc", StringComparison.OrdinalIgnoreCase) == true =>
                ("Sorry, the service is not available just now", "Signing in could not be finished because the service is busy or being restored. Wait a minute, then sign in again. Your choices have not been lost."),
            503 => ("Sorry, the service is not available just now", "Wait a minute, then try again. Your choices have not been lost."),
            403 when OriginalPath?.StartsWith("/Staff", StringComparison.OrdinalIgnoreCase) == true =>
                ("You cannot see this page", "This page is for NHS staff whose role lets them use it. If you are a patient, you can see and change your own choices."),
            403 => ("You cannot see this page", "You can only see and change your own choices, or those of someone you are authorised to act for."),
            _ => (Heading, Advice),
        };
    }
}
