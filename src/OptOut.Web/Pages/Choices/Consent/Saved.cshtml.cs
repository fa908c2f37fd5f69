using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace OptOut.Web.Pages.Choices.Consent;

/// <summary>What was saved, its reference, and what happens now.</summary>
public sealed class SavedModel : ConsentStep
{

    [BindProperty(SupportsGet = true)]
    public string? Reference { get; set; }

    public IActionResult OnGet() => ConsentAnswer.IsValid(Decision) ? Page() : RedirectToPage("/Choices/Index", new { @for = For });
}
