using System.Text.Json;

namespace OptOut.Contracts.Audit;

/// <summary>
/// What checking a patient's downloaded history (GET /v1/patients/{n}/access-log/proof) against the log's signed
/// checkpoint found: the History page's check and `optout audit-verify --log-key`; <see cref="Complete"/> when the
/// checkpoint's patient map also shows that no entry naming the patient is missing from it, up to
/// <see cref="CompleteUpTo"/>. The map trails the log, so that time may be earlier than <see cref="SignedAt"/>; like
/// <see cref="SignedAt"/> without a witness, it is the time the service gives.
/// </summary>
public sealed record HistoryCheck(bool Verified, DateTimeOffset? SignedAt, int Entries, bool Witnessed, string? Problem, bool Complete = false, DateTimeOffset? CompleteUpTo = null)
{
    /// <summary>
    /// Whether completeness is shown up to the signed record's own time, not only to an earlier one: within a second,
    /// the map being a checkpoint or two behind, as it is when it keeps up.
    /// </summary>
    public bool CompleteToSignedAt => Complete && CompleteUpTo is { } upTo && SignedAt is { } at && at - upTo <= TimeSpan.FromSeconds(1);

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
            var listed = new List<(long Sequence, string? NhsNumber, byte[] Leaf)>();
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
                listed.Add((e.GetProperty("sequence").GetInt64(), Text(e, "nhsNumber"), LogProofs.LeafHash(Convert.FromHexString(hash))));
            }

            DateTimeOffset? completeUpTo = null;
            if (checkpoint.Map is { } map)
            {
                if (Incomplete(history, map.Root, [.. listed.Where(e => e.Sequence <= map.Size)]) is { } gap)
                {
                    return new HistoryCheck(false, signedAt, entries, false, gap);
                }

                // Complete up to the map's size: when the log was signed at that size, which is no later than this checkpoint.
                completeUpTo = map.Size == checkpoint.Size ? signedAt
                    : history.TryGetProperty("mapSignedAt", out var at) && at.ValueKind == JsonValueKind.String && at.GetDateTimeOffset() <= signedAt ? at.GetDateTimeOffset()
                    : null;
            }

            var witnessKeys = history.GetProperty("witnessKeys").EnumerateArray().Select(k => k.GetString()!).ToList();
            var cosigned = note.Split('\n').Select(line => witnessKeys.Select(k => Cosignature.Verify(line + "\n", body, k)).FirstOrDefault(t => t is not null)).FirstOrDefault(t => t is not null);
            var shown = cosigned ?? signedAt;
            return new HistoryCheck(true, shown, entries, cosigned is not null, null, completeUpTo is not null,
                completeUpTo == signedAt ? shown : completeUpTo);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or FormatException or InvalidOperationException)
        {
            return new HistoryCheck(false, null, 0, false, "the history could not be read");
        }
    }

    /// <summary>
    /// Why the list is not the complete history the signed map holds, or null: for each number the record has had, the
    /// map's count and chain head must be those of the listed entries naming it, and every listed entry must be counted.
    /// </summary>
    private static string? Incomplete(JsonElement history, byte[] mapRoot, List<(long Sequence, string? NhsNumber, byte[] Leaf)> listed)
    {
        var covered = new HashSet<string>();
        foreach (var p in history.GetProperty("map").EnumerateArray())
        {
            var number = Text(p, "nhsNumber")!;
            var leaf = p.GetProperty("leaf");
            var proof = new MapProof(
                [.. p.GetProperty("path").EnumerateArray().Select(s => (s.GetProperty("depth").GetInt32(), Convert.FromBase64String(Text(s, "sibling")!)))],
                leaf.ValueKind == JsonValueKind.Null ? null
                    : new MapLeaf(Convert.FromBase64String(Text(leaf, "key")!), leaf.GetProperty("entries").GetInt64(), Convert.FromBase64String(Text(leaf, "head")!)));
            if (PatientMap.Fold(PatientMap.Key(number), proof) is not { } signed || !signed.Root.AsSpan().SequenceEqual(mapRoot))
            {
                return "the proof of the record's place in the signed record does not check";
            }

            var own = listed.Where(e => e.NhsNumber == number).OrderBy(e => e.Sequence).Select(e => (e.Sequence - 1, e.Leaf)).ToList();
            if (own.Count != signed.Entries || !PatientMap.HeadOf(own).AsSpan().SequenceEqual(signed.Head))
            {
                return $"the signed record holds {signed.Entries} {(signed.Entries == 1 ? "use" : "uses")} of this record up to then, and this list does not match them";
            }

            covered.Add(number);
        }

        return covered.Contains(Text(history, "nhsNumber")!) && listed.All(e => e.NhsNumber is not null && covered.Contains(e.NhsNumber))
            ? null
            : "the list names a number the signed record was not asked about";
    }

    private static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
