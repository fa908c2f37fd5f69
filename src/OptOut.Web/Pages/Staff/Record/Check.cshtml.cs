using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace OptOut.Web.Pages.Staff.Record;

/// <summary>Check the entry, then record it; the form's own key makes a double submission record once.</summary>
public sealed class CheckModel(OptOutApi api) : PageModel
{
    [BindProperty]
    public string? Key { get; set; }

    public StaffRecording? Recording { get; private set; }

    public string? Problem { get; private set; }

    /// <summary>The API refused the entry itself, so the way on is to change it, not to send it again.</summary>
    public bool EntryRefused { get; private set; }

    public IActionResult OnGet()
    {
        if (Load() is null)
        {
            return RedirectToPage("Index");
        }

        Key = Guid.NewGuid().ToString("N");
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (Load() is not { } recording || Key is not { Length: > 0 and <= 64 })
        {
            return RedirectToPage("Index");
        }

        var result = await api.RecordNationalDataOptOutAsync(recording, "staff-" + Key, ct);
        if (result.Problem is not null)
        {
            Problem = result.Problem;
            EntryRefused = result.EntryRefused;
            ViewData["HasError"] = true;
            return Page();
        }

        TempData.Remove(IndexModel.Pending);
        return RedirectToPage("Done", new { reference = result.Reference, nhsNumber = recording.NhsNumber });
    }

    private StaffRecording? Load() =>
        Recording = TempData.Peek(IndexModel.Pending) is string json ? JsonSerializer.Deserialize<StaffRecording>(json) : null;
}
