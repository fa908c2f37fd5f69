using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace OptOut.Web.Pages.Staff.Record;

/// <summary>
/// Recorded: the reference to give the caller or to write on the form, and what the API recorded under it. A reference
/// that names no change on the record shows that nothing was recorded, whatever the address says.
/// </summary>
public sealed class DoneModel(OptOutApi api) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Reference { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? NhsNumber { get; set; }

    /// <summary>What the change recorded, in the question's words; null when the reference names no change on this record.</summary>
    public string? Recorded { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var change = NhsNumber is null ? null : await api.RecordedChangeAsync(NhsNumber, Reference, ct);
        if (change?.Of("national-data-opt-out-set", "national-data-opt-out-withdrawn") is { } decision)
        {
            Reference = change.Reference;
            Recorded = decision.Event.EventType == "national-data-opt-out-set" ? "opted out of research and planning" : "allows research and planning";
        }
        else
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
        }
    }
}
