using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace OptOut.Web.Pages.Staff.Audit;

/// <summary>
/// The chain's state (entries, head, last signed checkpoint, the signing key's fingerprint) and, on request, a full
/// re-verification of every hash, link and signed checkpoint, showing the first break and why.
/// </summary>
public sealed class VerifyModel(OptOutApi api) : PageModel
{
    public JsonObject? Result { get; private set; }

    public JsonObject? LastCheckpoint { get; private set; }

    public string? KeyFingerprint { get; private set; }

    public bool Verified { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(verify: false, ct);

    public async Task OnPostAsync(CancellationToken ct) => await LoadAsync(verify: true, ct);

    private async Task LoadAsync(bool verify, CancellationToken ct)
    {
        LastCheckpoint = (await api.CheckpointsAsync(ct)).Value?.LastOrDefault()?.AsObject();
        if (await api.AuditPublicKeyAsync(ct) is { } pem)
        {
            using var key = ECDsa.Create();
            key.ImportFromPem(pem);
            KeyFingerprint = "SHA256:" + Convert.ToHexString(SHA256.HashData(key.ExportSubjectPublicKeyInfo())).ToLowerInvariant();
        }

        if (verify)
        {
            Result = (await api.VerifyAuditAsync(ct)).Value;
            Verified = true;
        }
    }
}
