using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace OptOut.Web.Pages.Staff.Audit;

/// <summary>The audit explorer: search the trail by period, patient, actor, role, kind, purpose and outcome, a page at a time (keyset paging on the server).</summary>
public sealed class IndexModel(OptOutApi api) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public AuditQuery Query { get; set; } = new();

    [BindProperty(SupportsGet = true)]
    public long? Before { get; set; }

    public AuditPage? Results { get; private set; }

    public string? Problem { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var read = await api.SearchAuditAsync(Query.ForApi(Before), ct);
        (Results, Problem) = (read.Value, read.Problem);
        if (Problem is not null)
        {
            ViewData["HasError"] = true;
        }

        return Page();
    }
}
