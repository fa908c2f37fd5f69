using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace OptOut.Web.Pages.Staff.Audit;

/// <summary>One audit entry with everything it holds, including its place in the hash chain.</summary>
public sealed class EntryModel(OptOutApi api) : PageModel
{
    public AuditEntry? Entry { get; private set; }

    public async Task<IActionResult> OnGetAsync(long sequence, CancellationToken ct)
    {
        Entry = (await api.AuditEntryAsync(sequence, ct)).Value;
        return Entry is null ? NotFound() : Page();
    }
}
