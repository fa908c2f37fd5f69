using System.Text.Json;
using OptOut.Contracts.Audit;

namespace OptOut.Web;

/// <summary>What checking a downloaded history against the log's signed checkpoint found.</summary>
public sealed record HistoryCheck(bool Verified, DateTimeOffset? SignedAt, int Entries, bool Witnessed, string? Problem)
{
    /// <summary>
    /// Checks the history as the independent verifier does: the checkpoint signed by the log's key, each entry's hash
    /// recomputed from its content, and each entry's inclusion proof against the checkpoint's root. The time shown is
    /// the witness's (it signed it) when there is one, the log's otherwise.
    /// </summary>
    public static HistoryCheck Of(string historyJson, string logVerifierKey)
    {
        try
        {
            var history = JsonDocument.Parse(historyJson).RootElement;
            var note = history.GetProperty("checkpoint").GetString()!;
            var signedAt = history.GetProperty("signedAt").GetDateTimeOffset();
            if (SignedNote.ParseVerifierKey(logVerifierKey.Trim()) is not { } key
                || SignedNote.Verify(note, key.Name, key.PublicKey) is not { } body || LogCheckpoint.Parse(body) is not { } checkpoint)
            {
                return new HistoryCheck(false, signedAt, 0, false, "the signed record's signature does not check");
            }

            var entries = 0;
            foreach (var e in history.GetProperty("entries").EnumerateArray())
            {
                var hash = AuditChain.HashOf(e.GetProperty("sequence").GetInt64(), e.GetProperty("recordedAt").GetDateTimeOffset(), Text(e, "kind")!, Text(e, "action")!,
                    Text(e, "actor")!, Text(e, "actorRole")!, Text(e, "nhsNumber"), Text(e, "purpose"), e.GetProperty("outcome").GetInt32(), Text(e, "requestId")!,
                    Text(e, "details")!, Text(e, "previousHash")!);
                var proof = e.GetProperty("proof").EnumerateArray().Select(h => Convert.FromBase64String(h.GetString()!)).ToList();
                if (hash != Text(e, "hash") || !LogProofs.VerifyInclusion(LogProofs.LeafHash(Convert.FromHexString(hash)), e.GetProperty("sequence").GetInt64() - 1, checkpoint.Size, proof, checkpoint.Root))
                {
                    return new HistoryCheck(false, signedAt, entries, false, $"entry {e.GetProperty("sequence").GetInt64()} does not match the signed record");
                }

                entries++;
            }

            var witnessKeys = history.GetProperty("witnessKeys").EnumerateArray().Select(k => k.GetString()!).ToList();
            var cosigned = note.Split('\n').Select(line => witnessKeys.Select(k => Cosignature.Verify(line + "\n", body, k)).FirstOrDefault(t => t is not null)).FirstOrDefault(t => t is not null);
            return new HistoryCheck(true, cosigned ?? signedAt, entries, cosigned is not null, null);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or FormatException or InvalidOperationException)
        {
            return new HistoryCheck(false, null, 0, false, "the history could not be read");
        }
    }

    private static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
