using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OptOut.Contracts.Audit;

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

    /// <summary>The list checked against the audit log's signed record, on the first page.</summary>
    public HistoryCheck? Check { get; private set; }

    public string? LogKey { get; private set; }

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
        if (log.Value is not null && Before is null)
        {
            LogKey = await api.AuditLogKeyAsync(ct);
            var (proof, problem) = await api.AccessLogProofAsync(record, ct);
            Check = proof is null || LogKey is null ? new HistoryCheck(false, null, 0, false, problem ?? "the signed record could not be read") : HistoryCheck.Of(proof, LogKey);
        }

        return Page();
    }

    /// <summary>The history with its proofs as a file, to check with OptOut's independent verifier or keep.</summary>
    public async Task<IActionResult> OnGetDownloadAsync(CancellationToken ct)
    {
        Person = Person.From(User);
        if (Person.RecordFor(For) is not { } record)
        {
            return Person.IsProxy ? RedirectToPage("/ActFor") : RedirectToPage("Index");
        }

        var (proof, _) = await api.AccessLogProofAsync(record, ct);
        return proof is null
            ? RedirectToPage("History", new { For })
            : File(System.Text.Encoding.UTF8.GetBytes(proof), "application/json", $"who-used-my-record-{DateTime.UtcNow:yyyy-MM-dd}.json");
    }
}
