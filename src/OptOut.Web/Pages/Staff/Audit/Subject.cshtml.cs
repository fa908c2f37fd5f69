using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace OptOut.Web.Pages.Staff.Audit;

/// <summary>
/// A subject access report: for one NHS number (and any merged into it), every change and every use of the record,
/// as a page that prints as a clean document, and as a file. The number is posted, not put in the address.
/// </summary>
public sealed class SubjectModel(OptOutApi api) : PageModel
{
    [BindProperty]
    public string? NhsNumber { get; set; }

    [BindProperty]
    public bool Download { get; set; }

    public SubjectAccessReport? Report { get; private set; }

    public string? Error { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!NhsNumbers.NhsNumber.TryParse(NhsNumber?.Trim(), out var number, out var problem))
        {
            Error = Words.NhsNumberProblem(NhsNumber, problem);
            ViewData["HasError"] = true;
            return Page();
        }

        if (Download)
        {
            var response = await api.SubjectAccessFileAsync(number.Value, ct);
            HttpContext.Response.RegisterForDispose(response);
            return File(await response.Content.ReadAsStreamAsync(ct), "application/json", $"subject-access-{number.Value[7..]}-{DateTime.UtcNow:yyyyMMdd}.json");
        }

        var read = await api.SubjectAccessAsync(number.Value, ct);
        (Report, Error) = (read.Value, read.Problem);
        return Page();
    }
}
