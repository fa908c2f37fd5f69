using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace OptOut.Web.Pages.Staff.Audit;

/// <summary>
/// Downloads everything the current search matches, streamed from the API as it arrives (any size), with the chain
/// head the API took it at, so an NDJSON download verifies offline with `optout audit-verify --head`.
/// </summary>
public sealed class ExportModel(OptOutApi api) : PageModel
{
    private static readonly Dictionary<string, (string MediaType, string Extension)> Formats = new()
    {
        ["ndjson"] = ("application/x-ndjson", "ndjson"),
        ["csv"] = ("text/csv", "csv"),
        ["fhir"] = ("application/fhir+json", "json"),
    };

    [BindProperty(SupportsGet = true)]
    public AuditQuery Query { get; set; } = new();

    public async Task<IActionResult> OnGetAsync(string? format, CancellationToken ct)
    {
        if (format is null || !Formats.TryGetValue(format, out var chosen))
        {
            return RedirectToPage("Index");
        }

        // A period that is not a real one would export more than was asked for: the search page says what is wrong.
        if (Query.Problems().Count > 0)
        {
            return RedirectToPage("Index", Query.RouteValues());
        }

        var response = await api.ExportAuditAsync(Query.ForApi(), chosen.MediaType, ct);
        HttpContext.Response.RegisterForDispose(response);
        if (!response.IsSuccessStatusCode)
        {
            return RedirectToPage("Index", Query.RouteValues());
        }

        if (response.Headers.TryGetValues("OptOut-Audit-Chain-Head", out var head))
        {
            Response.Headers["OptOut-Audit-Chain-Head"] = head.First();
        }

        var name = $"optout-audit-{DateTime.UtcNow:yyyyMMdd-HHmmss}.{chosen.Extension}";
        return File(await response.Content.ReadAsStreamAsync(ct), chosen.MediaType, name);
    }
}
