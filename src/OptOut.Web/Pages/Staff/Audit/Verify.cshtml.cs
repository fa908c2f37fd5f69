using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace OptOut.Web.Pages.Staff.Audit;

/// <summary>
/// The chain's state (last signed checkpoint, the signing key's fingerprint) and the latest re-verification run: "Verify
/// now" starts one in the API's background (or joins the one running) and shows it as it goes, then what it found.
/// </summary>
public sealed class VerifyModel(OptOutApi api, TimeProvider clock) : PageModel
{
    /// <summary>How long "Verify now" waits for the run to finish before showing its progress instead: a small store answers at once.</summary>
    private static readonly TimeSpan Waited = TimeSpan.FromSeconds(5);

    public VerificationRun? Run { get; private set; }

    public JsonObject? Result => Run?.Result;

    public string? Problem { get; private set; }

    public JsonObject? LastCheckpoint { get; private set; }

    public string? KeyFingerprint { get; private set; }

    /// <summary>The run to show (from "Verify now" or "Check progress"); without it, the latest.</summary>
    [BindProperty(SupportsGet = true, Name = "run")]
    public string? RunId { get; set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        await LoadChainAsync(ct);
        if (RunId is { } id)
        {
            var shown = await api.VerificationRunAsync(id, ct);
            (Run, Problem) = (shown.Value, shown.Value is null ? shown.Problem ?? "This check could not be found." : null);
        }
        else
        {
            Run = (await api.VerificationRunsAsync(ct)).Value?.FirstOrDefault();
        }
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var begun = await api.BeginVerificationAsync(ct);
        if (begun.Value is not { } run)
        {
            Problem = begun.Problem ?? "The check could not be started. Try again.";
            await LoadChainAsync(ct);
            return Page();
        }

        var until = clock.GetUtcNow() + Waited;
        while (run.IsRunning && clock.GetUtcNow() < until)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), clock, ct);
            run = (await api.VerificationRunAsync(run.Id, ct)).Value ?? run;
        }

        return RedirectToPage(new { run = run.Id });
    }

    private async Task LoadChainAsync(CancellationToken ct)
    {
        LastCheckpoint = (await api.CheckpointsAsync(ct)).Value?.LastOrDefault()?.AsObject();
        if (await api.AuditPublicKeyAsync(ct) is { } pem)
        {
            using var key = ECDsa.Create();
            key.ImportFromPem(pem);
            KeyFingerprint = "SHA256:" + Convert.ToHexString(SHA256.HashData(key.ExportSubjectPublicKeyInfo())).ToLowerInvariant();
        }
    }
}
