using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace OptOut.Web.Pages.Choices.Consent;

/// <summary>What every step of answering about a purpose carries from page to page: which purpose, whose record, the answer.</summary>
public abstract class ConsentStep : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Purpose { get; set; }

    /// <summary>For a proxy: whose record (the API checks their authority).</summary>
    [BindProperty(SupportsGet = true)]
    public string? For { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Decision { get; set; }

    /// <summary>The last day the answer holds, as yyyy-MM-dd, when one was given.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Until { get; set; }

    public DateOnly? UntilDay => DateOnly.TryParseExact(Until, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day : null;
}
