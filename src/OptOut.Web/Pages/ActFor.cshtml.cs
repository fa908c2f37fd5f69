using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace OptOut.Web.Pages;

/// <summary>For a proxy: whose choices they may manage, from the authorities staff recorded, and whose authority has ended.</summary>
[Authorize]
public sealed class ActForModel(OptOutApi api) : PageModel
{
    public MyPatients? Patients { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => Patients = Person.From(User).IsProxy ? (await api.MyPatientsAsync(ct)).Value : null;
}
