using System.Globalization;
using OptOut.Contracts.Audit;

namespace OptOut.Witness;

/// <summary>
/// C2SP tlog-witness's add-checkpoint: "old N", the consistency proof from size N (one base64 hash a line), a blank
/// line, then the log's signed checkpoint. The witness cosigns only a checkpoint its log signed that extends the last
/// one it cosigned for that log; it answers 409 with its own size when the caller's N is not it, 422 when the proof
/// fails, and keeps a fork as evidence and raises the alarm.
/// </summary>
public sealed class AddCheckpoint(Cosigner cosigner, WitnessState state, IReadOnlyDictionary<string, string> logs, TimeProvider clock, ILogger<AddCheckpoint> logger)
{
    public const string SizeType = "text/x.tlog.size";

    public async Task<IResult> HandleAsync(string body)
    {
        if (Parse(body) is not { } request)
        {
            return Results.Text("The body is \"old N\", the proof's hashes (base64, one a line), a blank line, then the signed checkpoint.\n", statusCode: 400);
        }

        var origin = request.Note.Split('\n', 2)[0];
        if (!logs.TryGetValue(origin, out var logKey))
        {
            // The origin is the caller's text until a known log's key has signed it: repeated only when short and printable.
            var named = origin.Length <= 100 && origin.All(c => c is >= ' ' and <= '~') ? origin : "that log";
            return Results.Text($"This witness does not witness {named}.\n", statusCode: 404);
        }

        var (name, publicKey) = SignedNote.ParseVerifierKey(logKey)!.Value;
        if (SignedNote.Verify(request.Note, name, publicKey) is not { } text || LogCheckpoint.Parse(text) is not { } checkpoint || checkpoint.Origin != origin)
        {
            return Results.Text("The checkpoint is not signed by the log's key.\n", statusCode: 403);
        }

        return await state.WithAsync<IResult>(origin, async last =>
        {
            var lastSize = last?.Size ?? 0;
            if (request.OldSize != lastSize)
            {
                return (Results.Text(lastSize.ToString(CultureInfo.InvariantCulture) + "\n", SizeType, statusCode: 409), null);
            }

            if (checkpoint.Size < lastSize)
            {
                return (Results.Text("The checkpoint is smaller than the old size.\n", statusCode: 400), null);
            }

            var lastRoot = last?.Root ?? LogProofs.EmptyRoot;
            // Same size, same root, but another text (another patient map, say) is two checkpoints of one size too.
            var sameSizeOtherText = last is not null && checkpoint.Size == lastSize && SignedNote.Parse(last.Note)?.Text != text;
            if (sameSizeOtherText || !LogProofs.VerifyConsistency(lastSize, checkpoint.Size, lastRoot, checkpoint.Root, request.Proof))
            {
                // Two signed checkpoints of one log, one not extending the other: the log showed two histories.
                var evidence = last is null ? null : await state.KeepForkAsync(origin, last.Note, request.Note);
                logger.LogCritical("FORK: {Origin} signed a checkpoint of size {Size} that does not extend the one of size {Last} this witness cosigned; evidence kept in {Evidence}",
                    origin, checkpoint.Size, lastSize, evidence);
                return (Results.Text("The checkpoint does not extend the last one this witness cosigned.\n", statusCode: 422), null);
            }

            var cosignature = cosigner.Cosign(checkpoint, clock.GetUtcNow());
            return (Results.Text(cosignature, "text/plain; charset=utf-8"), new Witnessed(checkpoint.Size, checkpoint.Root, request.Note));
        });
    }

    private static (long OldSize, List<byte[]> Proof, string Note)? Parse(string body)
    {
        var split = body.IndexOf("\n\n", StringComparison.Ordinal);
        if (!body.StartsWith("old ", StringComparison.Ordinal) || split < 0)
        {
            return null;
        }

        var head = body[..split].Split('\n');
        if (!long.TryParse(head[0][4..], NumberStyles.None, CultureInfo.InvariantCulture, out var oldSize) || head.Length > 64)
        {
            return null;
        }

        var proof = new List<byte[]>();
        foreach (var line in head.Skip(1))
        {
            var hash = new byte[LogProofs.HashSize];
            if (!Convert.TryFromBase64String(line, hash, out var written) || written != LogProofs.HashSize)
            {
                return null;
            }

            proof.Add(hash);
        }

        return (oldSize, proof, body[(split + 2)..]);
    }
}
