using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace OptOut.Web.Pages.Choices.NationalDataOptOut;

/// <summary>What was saved, its reference, and what happens now.</summary>
public sealed class ConfirmationModel : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Answer { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Reference { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? For { get; set; }

    public IActionResult OnGet() => Answers.IsValid(Answer) ? Page() : RedirectToPage("/Choices/Index");
}
