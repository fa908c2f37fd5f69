using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace OptOut.Web.Pages.Staff.Operations;

/// <summary>One import: the file's SHA-256, what became of its rows, and each rejected row with why.</summary>
public sealed class ImportModel(OptOutApi api) : PageModel
{
    public ImportRun? Run { get; private set; }

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken ct)
    {
        var read = await api.ImportAsync(id, ct);
        Run = read.Value;
        return Run is null ? StatusCode(read.Status) : Page();
    }
}
