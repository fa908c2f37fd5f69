using Microsoft.AspNetCore.Mvc.RazorPages;

namespace OptOut.Web.Pages.Choices;

/// <summary>Your data choices: what is recorded for the signed-in patient, read from OptOut's API with their own token.</summary>
public sealed class IndexModel(OptOutApi api, WebSettings settings) : PageModel
{
    public Person Person { get; private set; } = null!;

    public Preferences? Preferences { get; private set; }

    public bool MayChange { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        Person = Person.From(User);
        MayChange = Person.MayChange(settings.MinimumProofingLevelToChange);
        if (Person.NhsNumber is { } nhsNumber)
        {
            // The API refuses (403) a patient under 13: their choices are made by a person with parental responsibility.
            Preferences = await api.PreferencesAsync(nhsNumber, ct);
        }
    }
}
