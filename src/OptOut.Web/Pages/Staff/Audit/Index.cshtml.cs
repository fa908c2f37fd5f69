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

    /// <summary>What is wrong with the search, by the id of the box it belongs to: the page's own checks, then the API's.</summary>
    public Dictionary<string, string> Problems { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        // A date that is not a real one is said back, not dropped: a search that silently ignored it would widen.
        Problems = Query.Problems();
        if (Problems.Count == 0)
        {
            var read = await api.SearchAuditAsync(Query.ForApi(Before), ct);
            Results = read.Value;
            if (read.Problem is not null)
            {
                // The API names the filter it refused first; the summary links to that box.
                Problems[read.Problem.StartsWith("reference", StringComparison.Ordinal) ? "query-reference" : "query-nhs-number"] = read.Problem;
            }
        }

        if (Problems.Count > 0)
        {
            ViewData["HasError"] = true;
        }

        return Page();
    }
}
