using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace OptOut.Web.Pages;

/// <summary>What a person sees when a page cannot be shown: plain words, never a stack trace.</summary>
public sealed class ErrorModel : PageModel
{
    public string Heading { get; private set; } = "Sorry, there is a problem with the service";

    public string Advice { get; private set; } = "Try again later. Your choices have not been lost.";

    public void OnGet(int? status)
    {
        (Heading, Advice) = status switch
        {
            400 => ("Signing in did not work", "The sign-in may have taken too long, or the link was already used. Go back to the start and sign in again."),
            404 => ("Page not found", "If you typed the web address, check it is correct."),
            403 when HttpContext.Features.Get<IStatusCodeReExecuteFeature>()?.OriginalPath.StartsWith("/Staff", StringComparison.OrdinalIgnoreCase) == true =>
                ("You cannot see this page", "This page is for NHS staff whose role lets them use it. If you are a patient, you can see and change your own choices."),
            403 => ("You cannot see this page", "You can only see and change your own choices, or those of someone you are authorised to act for."),
            _ => (Heading, Advice),
        };
    }
}
