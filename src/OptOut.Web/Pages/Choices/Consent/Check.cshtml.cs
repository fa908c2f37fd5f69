using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace OptOut.Web.Pages.Choices.Consent;

/// <summary>Check the answer, then confirm; the form's own key makes a double submission record once.</summary>
public sealed class CheckModel(OptOutApi api) : ConsentStep
{

    [BindProperty]
    public string? Key { get; set; }

    public string Title { get; private set; } = "";

    public string? Problem { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (!await ValidAsync(ct))
        {
            return RedirectToPage("/Choices/Index", new { @for = For });
        }

        Key = Guid.NewGuid().ToString("N");
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!await ValidAsync(ct) || Key is not { Length: > 0 and <= 64 } || Person.From(User).RecordFor(For) is not { } record)
        {
            return RedirectToPage("/Choices/Index", new { @for = For });
        }

        var until = Decision == ConsentAnswer.Permit && UntilDay is { } day ? ConsentAnswer.EndOf(day) : (DateTimeOffset?)null;
        var result = await api.DecideConsentAsync(record, Purpose!, Decision!, until, "web-" + Key, ct);
        if (result.Problem is not null)
        {
            Problem = result.Problem;
            ViewData["HasError"] = true;
            return Page();
        }

        return RedirectToPage("Saved", new { purpose = Purpose, @for = For, reference = result.Reference });
    }

    private async Task<bool> ValidAsync(CancellationToken ct)
    {
        if (!ConsentAnswer.IsValid(Decision) || !Person.From(User).MayChange
            || (await api.ConsentPurposesAsync(ct)).FirstOrDefault(p => p.Key == Purpose) is not { } purpose)
        {
            return false;
        }

        Title = purpose.TitleFor(Voice.Of(Person.From(User)));
        return true;
    }
}
