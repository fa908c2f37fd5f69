using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace OptOut.Web.Pages.Choices;

/// <summary>Every choice recorded on the record, and every recorded use of it, newest first.</summary>
public sealed class HistoryModel(OptOutApi api) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? For { get; set; }

    [BindProperty(SupportsGet = true)]
    public long? Before { get; set; }

    public Person Person { get; private set; } = null!;

    public History? History { get; private set; }

    public AccessLog? AccessLog { get; private set; }

    public string? Refusal { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        Person = Person.From(User);
        if (Person.RecordFor(For) is not { } record)
        {
            return Person.IsProxy ? RedirectToPage("/ActFor") : RedirectToPage("Index");
        }

        var history = await api.HistoryAsync(record, ct);
        var log = await api.AccessLogAsync(record, Before, ct);
        (History, AccessLog, Refusal) = (history.Value, log.Value, history.Problem ?? log.Problem);
        return Page();
    }
}
