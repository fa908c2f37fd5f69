using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace OptOut.Web.Pages.Choices.NationalDataOptOut;

/// <summary>One question: may your (or, to a proxy, their) confidential patient information be used for research and planning?</summary>
public sealed class IndexModel(OptOutApi api) : PageModel
{
    [BindProperty]
    public string? Answer { get; set; }

    /// <summary>For a proxy: whose record (the API checks their authority).</summary>
    [BindProperty(SupportsGet = true)]
    public string? For { get; set; }

    public string? Error { get; private set; }

    /// <summary>Why this person may not answer, said in place of the question; null when they may.</summary>
    public MayNotChoose? Refusal { get; private set; }

    public Voice Voice { get; private set; } = Voice.ToPatient;

    /// <summary>The answer on record, if a choice was ever made; said beside the question, never selected in it.</summary>
    public string? OnRecord { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? answer, CancellationToken ct)
    {
        // Only the person's own answer, when they come back from checking it, is selected: nothing is chosen for them, so
        // the choice on record is said above the question instead (none at all for someone who never chose).
        Answer = Answers.IsValid(answer) ? answer : null;
        return await AskAsync(ct);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!Answers.IsValid(Answer))
        {
            Error = $"Select if {Voice.Of(Person.From(User)).Your} confidential patient information can be used for research and planning";
            ViewData["HasError"] = true;
            return await AskAsync(ct);
        }

        // Post, redirect, get: the back button and a refresh never resubmit.
        return RedirectToPage("Check", new { answer = Answer, @for = For });
    }

    private async Task<IActionResult> AskAsync(CancellationToken ct)
    {
        var person = Person.From(User);
        Voice = Voice.Of(person);
        (var current, Refusal) = await MayNotChoose.AskAsync(api, person, For, ct);
        if (Refusal is not null)
        {
            Response.StatusCode = Refusal.Status;
            return Page();
        }

        OnRecord = current!.NationalDataOptOut.RecordedAt is null ? null : current.NationalDataOptOut.OptedOut ? Answers.OptOut : Answers.Allow;
        return Page();
    }
}
