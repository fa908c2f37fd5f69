using System.Globalization;
using Microsoft.AspNetCore.Mvc;

namespace OptOut.Web.Pages.Choices.Consent;

/// <summary>
/// What was saved about the purpose, as the API recorded it under the reference: the answer and its end come from the
/// record, never from the address, and a reference that names no such change on the record shows that nothing was saved.
/// </summary>
public sealed class SavedModel(OptOutApi api) : ConsentStep
{
    [BindProperty(SupportsGet = true)]
    public string? Reference { get; set; }

    public bool Saved { get; private set; }

    /// <summary>Without a reference: the answer on record ("permit" or "deny"), or null if there is none.</summary>
    public string? Standing { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        (Decision, Until) = (null, null);
        var record = Person.From(User).RecordFor(For);
        if (record is not null && Reference is null)
        {
            // Nothing changed (the answer already stood): say what the record holds.
            Standing = (await api.PreferencesAsync(record, ct))?.Consents.FirstOrDefault(c => c.Purpose == Purpose)?.Status;
        }

        var change = record is null ? null : await api.RecordedChangeAsync(record, Reference, ct);
        var decision = change?.Decisions.LastOrDefault(d => d.Details?["purpose"]?.GetValue<string>() == Purpose
                                                            && d.Event.EventType is "consent-granted" or "consent-refused" or "consent-withdrawn");
        if (decision is null)
        {
            Response.StatusCode = Reference is null ? StatusCodes.Status200OK : StatusCodes.Status404NotFound;
            return;
        }

        Saved = true;
        Reference = change!.Reference;
        Decision = decision.Event.EventType switch { "consent-granted" => ConsentAnswer.Permit, "consent-refused" => ConsentAnswer.Deny, _ => ConsentAnswer.Withdraw };
        if (decision.Details?["period"]?["end"]?.GetValue<DateTimeOffset>() is { } end)
        {
            Until = ConsentAnswer.LastDayOf(end).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }
    }
}
