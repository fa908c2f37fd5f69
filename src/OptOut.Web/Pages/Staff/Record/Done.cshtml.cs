using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace OptOut.Web.Pages.Staff.Record;

/// <summary>Recorded: the reference to give the caller or to write on the form.</summary>
public sealed class DoneModel : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Reference { get; set; }
}
