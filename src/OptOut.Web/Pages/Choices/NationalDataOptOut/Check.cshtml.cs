using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace OptOut.Web.Pages.Choices.NationalDataOptOut;

/// <summary>
/// Check your answer, then confirm. The form carries its own idempotency key, made when the page was shown, and the
/// API records the change once however often the form is sent (double clicks, the back button, a retry).
/// </summary>
public sealed class CheckModel(OptOutApi api) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Answer { get; set; }

    [BindProperty]
    public string? Key { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? For { get; set; }

    public string? Problem { get; private set; }

    public IActionResult OnGet()
    {
        if (!Answers.IsValid(Answer) || !Person.From(User).MayChange)
        {
            return RedirectToPage("Index");
        }

        Key = Guid.NewGuid().ToString("N");
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var person = Person.From(User);
        if (!Answers.IsValid(Answer) || Key is not { Length: > 0 and <= 64 } || person.RecordFor(For) is not { } record || !person.MayChange)
        {
            return RedirectToPage("Index", new { @for = For });
        }

        var result = await api.SetNationalDataOptOutAsync(record, Answer == Answers.OptOut, "web-" + Key, ct);
        if (result.Problem is not null)
        {
            Problem = result.Problem;
            ViewData["HasError"] = true;
            return Page();
        }

        return RedirectToPage("Confirmation", new { reference = result.Reference, @for = For });
    }
}
