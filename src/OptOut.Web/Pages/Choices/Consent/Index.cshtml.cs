using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace OptOut.Web.Pages.Choices.Consent;

/// <summary>One question about one purpose from OptOut's catalogue: allow it (perhaps until a day), do not allow it, or remove the answer.</summary>
public sealed class IndexModel(OptOutApi api, TimeProvider clock) : ConsentStep
{

    [BindProperty(SupportsGet = true)]
    public string? Day { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Month { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Year { get; set; }

    public string Title { get; private set; } = "";

    public bool Standing { get; private set; }

    public Dictionary<string, string> Errors { get; } = [];

    /// <summary>Why this person may not answer, said in place of the question; null when they may.</summary>
    public MayNotChoose? Refusal { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await LoadAsync(ct) ? Page() : RedirectToPage("/Choices/Index", new { @for = For });

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct))
        {
            return RedirectToPage("/Choices/Index", new { @for = For });
        }

        if (Refusal is not null)
        {
            return Page();
        }

        if (!ConsentAnswer.IsValid(Decision))
        {
            Errors["decision-permit"] = "Select if you allow this";
        }

        var until = EndDay(out var dateError);
        if (dateError is not null && Decision == ConsentAnswer.Permit)
        {
            Errors["until-day"] = dateError;
        }

        if (Errors.Count > 0)
        {
            ViewData["HasError"] = true;
            return Page();
        }

        // Post, redirect, get: the back button and a refresh never resubmit.
        return RedirectToPage("Check", new { purpose = Purpose, @for = For, decision = Decision, until = Decision == ConsentAnswer.Permit ? until?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : null });
    }

    /// <summary>False for a purpose not in the catalogue; otherwise the question's title, and whether this person may answer it.</summary>
    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        var person = Person.From(User);
        if ((await api.ConsentPurposesAsync(ct)).FirstOrDefault(p => p.Key == Purpose) is not { } purpose)
        {
            return false;
        }

        Title = purpose.TitleFor(Voice.Of(person));
        (var record, Refusal) = await MayNotChoose.AskAsync(api, person, For, ct);
        if (Refusal is not null)
        {
            Response.StatusCode = Refusal.Status;
            return true;
        }

        Standing = record!.Consents.Any(c => c.Purpose == Purpose && c.Status is "permit" or "deny");
        return true;
    }

    /// <summary>The optional end date, as the NHS date input pattern asks for it.</summary>
    public DateInput EndDate => new("until", "", "If you allow this, until when? (optional)", "Leave empty to allow it until you change your mind. For example, 31 3 2027.",
        Day, Month, Year, Errors.GetValueOrDefault("until-day"));

    /// <summary>The optional end date, from the three fields of the NHS date input pattern.</summary>
    private DateOnly? EndDay(out string? error)
    {
        if (EndDate.Read("date", "31 3 2027", out error) is not { } day)
        {
            return null;
        }

        // Today as the patient's calendar has it: in the first hour of a BST day the UTC date is still yesterday's.
        if (day < Contracts.UkCalendar.DayOf(clock.GetUtcNow()))
        {
            error = "The date must be today or in the future";
            return null;
        }

        return day;
    }
}
