using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace OptOut.Web.Pages.Staff.Record;

/// <summary>
/// Contact-centre staff record a national data opt-out, or its withdrawal, received by phone or on paper. The entry is
/// kept in encrypted TempData between the pages, so no NHS number travels in an address.
/// </summary>
public sealed class IndexModel(TimeProvider clock) : PageModel
{
    public const string Pending = "staff.recording";

    [BindProperty]
    public RecordingForm Form { get; set; } = new();

    public Dictionary<string, string> Errors { get; private set; } = [];

    public void OnGet()
    {
        if (TempData.Peek(Pending) is string json && JsonSerializer.Deserialize<StaffRecording>(json) is { } earlier)
        {
            // Back from the check page: the entry is shown again to correct.
            Form = new RecordingForm
            {
                NhsNumber = earlier.NhsNumber, Choice = earlier.OptedOut ? "opt-out" : "allow", Channel = earlier.Channel,
                BornDay = earlier.PatientBorn.Day.ToString(System.Globalization.CultureInfo.InvariantCulture),
                BornMonth = earlier.PatientBorn.Month.ToString(System.Globalization.CultureInfo.InvariantCulture),
                BornYear = earlier.PatientBorn.Year.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Day = earlier.SignedOn?.Day.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Month = earlier.SignedOn?.Month.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Year = earlier.SignedOn?.Year.ToString(System.Globalization.CultureInfo.InvariantCulture),
                CaseReference = earlier.CaseReference, DecidedBy = earlier.ProxyRole is null ? "patient" : "proxy",
                ProxyRole = earlier.ProxyRole, Evidence = earlier.Evidence,
            };
        }
    }

    public IActionResult OnPost()
    {
        Errors = Form.Check(Contracts.UkCalendar.DayOf(clock.GetUtcNow()), out var recording);
        if (Errors.Count > 0)
        {
            ViewData["HasError"] = true;
            return Page();
        }

        TempData[Pending] = JsonSerializer.Serialize(recording);
        return RedirectToPage("Check");
    }
}
