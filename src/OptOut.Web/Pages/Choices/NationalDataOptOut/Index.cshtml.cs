using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace OptOut.Web.Pages.Choices.NationalDataOptOut;

/// <summary>One question: may your confidential patient information be used for research and planning?</summary>
public sealed class IndexModel(OptOutApi api) : PageModel
{
    [BindProperty]
    public string? Answer { get; set; }

    /// <summary>For a proxy: whose record (the API checks their authority).</summary>
    [BindProperty(SupportsGet = true)]
    public string? For { get; set; }

    public string? Error { get; private set; }

    public bool MayChange { get; private set; }

    /// <summary>The answer on record, if a choice was ever made; said beside the question, never selected in it.</summary>
    public string? OnRecord { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? answer, CancellationToken ct)
    {
        MayChange = Person.From(User).MayChange;
        // Only the person's own answer, when they come back from checking it, is selected: nothing is chosen for them, so
        // the choice on record is said above the question instead (none at all for someone who never chose).
        Answer = Answers.IsValid(answer) ? answer : null;
        if (Person.From(User).RecordFor(For) is { } nhsNumber && await api.PreferencesAsync(nhsNumber, ct) is { NationalDataOptOut.RecordedAt: not null } current)
        {
            OnRecord = current.NationalDataOptOut.OptedOut ? Answers.OptOut : Answers.Allow;
        }

        return Page();
    }

    public IActionResult OnPost()
    {
        MayChange = Person.From(User).MayChange;
        if (!Answers.IsValid(Answer))
        {
            Error = "Select if your confidential patient information can be used for research and planning";
            ViewData["HasError"] = true;
            return Page();
        }

        // Post, redirect, get: the back button and a refresh never resubmit.
        return RedirectToPage("Check", new { answer = Answer, @for = For });
    }
}
