using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace OptOut.Web.Pages.Choices.Consent;

/// <summary>One question about one purpose from OptOut's catalogue: allow it (perhaps until a day), do not allow it, or remove the answer.</summary>
public sealed class IndexModel(OptOutApi api) : ConsentStep
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

    public bool MayChange { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) => await LoadAsync(ct) ? Page() : RedirectToPage("/Choices/Index", new { @for = For });

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!await LoadAsync(ct))
        {
            return RedirectToPage("/Choices/Index", new { @for = For });
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

    private async Task<bool> LoadAsync(CancellationToken ct)
    {
        var person = Person.From(User);
        MayChange = person.MayChange;
        if (person.RecordFor(For) is not { } record || (await api.ConsentPurposesAsync(ct)).FirstOrDefault(p => p.Key == Purpose) is not { } purpose)
        {
            return false;
        }

        Title = purpose.Title;
        Standing = (await api.PreferencesAsync(record, ct))?.Consents.Any(c => c.Purpose == Purpose && c.Status is "permit" or "deny") == true;
        return true;
    }

    /// <summary>The optional end date, from the three fields of the NHS date input pattern.</summary>
    private DateOnly? EndDay(out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(Day) && string.IsNullOrWhiteSpace(Month) && string.IsNullOrWhiteSpace(Year))
        {
            return null;
        }

        if (!int.TryParse(Day, out var d) || !int.TryParse(Month, out var m) || !int.TryParse(Year, out var y) || y < 1000 || m is < 1 or > 12 || d < 1 || d > DateTime.DaysInMonth(y, m))
        {
            error = "Enter a real date, for example 31 3 2027, or leave the date empty";
            return null;
        }

        var day = new DateOnly(y, m, d);
        if (day < DateOnly.FromDateTime(DateTime.UtcNow))
        {
            error = "The date must be today or in the future";
            return null;
        }

        return day;
    }
}
