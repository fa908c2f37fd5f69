using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace OptOut.Web.Pages.Choices;

/// <summary>Your data choices (or, for a proxy, the choices of the person they act for), read from OptOut's API with the signed-in person's own token.</summary>
public sealed class IndexModel(OptOutApi api) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? For { get; set; }

    public Person Person { get; private set; } = null!;

    public Preferences? Preferences { get; private set; }

    /// <summary>Why the record could not be shown: the API's own words (under 13, or authority that has ended).</summary>
    public string? Refusal { get; private set; }

    public bool MayChange { get; private set; }

    /// <summary>The catalogue's purposes that need the patient's own answer.</summary>
    public IReadOnlyList<Purpose> Purposes { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        Person = Person.From(User);
        MayChange = Person.MayChange;
        if (Person.RecordFor(For) is not { } record)
        {
            return Person.IsProxy ? RedirectToPage("/ActFor") : Page();
        }

        var read = await api.ReadPreferencesAsync(record, ct);
        (Preferences, Refusal) = (read.Value, read.Problem);
        Purposes = read.Value is null ? [] : await api.ConsentPurposesAsync(ct);
        return Page();
    }
}
