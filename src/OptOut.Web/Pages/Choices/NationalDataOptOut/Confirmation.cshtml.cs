using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace OptOut.Web.Pages.Choices.NationalDataOptOut;

/// <summary>
/// What was saved, as the API recorded it under the reference, and what happens now. Nothing here comes from the
/// address but the reference itself: a forged or mistyped one finds no change on the record, and the page says nothing
/// was saved. Without a reference (the choice already stood), it says so, with the choice on record.
/// </summary>
public sealed class ConfirmationModel(OptOutApi api) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Reference { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? For { get; set; }

    /// <summary>The answer the record holds: from the change the reference names, or the standing choice when there is none.</summary>
    public string? Answer { get; private set; }

    public bool Saved { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var record = Person.From(User).RecordFor(For);
        if (record is null)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (Reference is not null)
        {
            var change = (await api.RecordedChangeAsync(record, Reference, ct))?.Of("national-data-opt-out-set", "national-data-opt-out-withdrawn");
            (Saved, Answer) = change is null ? (false, null) : (true, change.Event.EventType == "national-data-opt-out-set" ? Answers.OptOut : Answers.Allow);
            Reference = Saved ? change!.Reference : Reference;
            Response.StatusCode = Saved ? StatusCodes.Status200OK : StatusCodes.Status404NotFound;
            return;
        }

        Answer = (await api.PreferencesAsync(record, ct)) is { } standing ? (standing.NationalDataOptOut.OptedOut ? Answers.OptOut : Answers.Allow) : null;
    }
}
