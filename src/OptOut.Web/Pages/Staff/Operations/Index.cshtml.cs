using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace OptOut.Web.Pages.Staff.Operations;

/// <summary>The service's own work, for contact-centre staff and data-protection officers: checks run, authorities ending, imports.</summary>
public sealed class IndexModel(OptOutApi api) : PageModel
{
    public CheckPage? Checks { get; private set; }

    public EndingAuthorities? Ending { get; private set; }

    public IReadOnlyList<ImportRun> Imports { get; private set; } = [];

    [BindProperty(SupportsGet = true)]
    public string? Before { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var checks = await api.ChecksAsync(Before, ct);
        if (checks.Value is null)
        {
            return StatusCode(checks.Status);
        }

        Checks = checks.Value;
        Ending = (await api.EndingAuthoritiesAsync(ct)).Value;
        Imports = (await api.ImportsAsync(ct)).Value ?? [];
        return Page();
    }
}
