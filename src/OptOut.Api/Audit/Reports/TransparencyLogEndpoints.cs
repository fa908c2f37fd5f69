using OptOut.Audit.Transparency;

namespace OptOut.Audit.Reports;

/// <summary>
/// The audit trail as a transparency log anyone can check: its signed checkpoints and key need no sign-in (they name no
/// one: a size and a hash); proofs, which read the tree, are for signed-in callers.
/// </summary>
public static class TransparencyLogEndpoints
{
    private const string NoteType = "text/plain; charset=utf-8";

    public static void MapTransparencyLog(this IEndpointRouteBuilder api)
    {
        api.MapGet("/audit/log/checkpoint", (long? size, LogProofService log, CancellationToken ct) => NoteAsync(size, log, ct))
            .WithName("AuditLogCheckpoint")
            .WithSummary("The audit log's latest signed checkpoint (or the one of ?size=), as a C2SP signed note: origin, size, root hash, signature.")
            .Produces<string>(200, "text/plain")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .AllowAnonymous();

        api.MapGet("/audit/log/key", (LogKey key) => TypedResults.Text(key.VerifierKey + "\n", NoteType))
            .WithName("AuditLogKey")
            .WithSummary("The verifier key of the audit log's checkpoints: name+id+base64(0x01 ‖ Ed25519 public key), as witnesses and Go's sumdb/note read it.")
            .Produces<string>(200, "text/plain")
            .AllowAnonymous();

        api.MapGet("/audit/log/proofs/inclusion", InclusionAsync)
            .WithName("AuditLogInclusionProof")
            .WithSummary("RFC 9162 inclusion proof of audit entry ?entry= (its sequence) in the signed checkpoint of ?size=.")
            .Produces<LogProof>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization();

        api.MapGet("/audit/log/proofs/consistency", ConsistencyAsync)
            .WithName("AuditLogConsistencyProof")
            .WithSummary("RFC 9162 consistency proof that the signed checkpoint of ?to= extends the one of ?from=.")
            .Produces<ConsistencyProof>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization();
    }

    private static async Task<IResult> NoteAsync(long? size, LogProofService log, CancellationToken ct)
    {
        if (size is < 1)
        {
            return Problems.Of(Problems.InvalidQuery, $"size must be at least 1 (a checkpoint's size is the number of entries it covers); it was {size}.");
        }

        return await log.CheckpointAsync(size, ct) is { } checkpoint
            ? TypedResults.Text(checkpoint.Note, NoteType)
            : Problems.Of(Problems.NotFound, size is null ? "No checkpoint has been signed yet." : $"No checkpoint was signed at size {size}.");
    }

    private static async Task<IResult> InclusionAsync(long? entry, long? size, LogProofService log, CancellationToken ct)
    {
        if (Refusal(("entry", entry, "an audit entry's sequence"), ("size", size, "a signed checkpoint's size")) is { } refused)
        {
            return refused;
        }

        if (entry > size)
        {
            return Problems.Of(Problems.InvalidQuery, $"entry {entry} is beyond size {size}: the checkpoint of size {size} covers entries 1 to {size}.");
        }

        return await log.CheckpointAsync(size, ct) is null
            ? Problems.Of(Problems.NotFound, $"No checkpoint was signed at size {size}: ask for the latest one first.")
            : TypedResults.Ok(await log.InclusionAsync(entry!.Value, size!.Value, ct));
    }

    private static async Task<IResult> ConsistencyAsync(long? from, long? to, LogProofService log, CancellationToken ct)
    {
        if (Refusal(("from", from, "the older signed checkpoint's size"), ("to", to, "the newer signed checkpoint's size")) is { } refused)
        {
            return refused;
        }

        if (from > to)
        {
            return Problems.Of(Problems.InvalidQuery, $"from ({from}) is larger than to ({to}): the proof shows that the newer checkpoint (to) extends the older (from).");
        }

        var missing = new[] { from!.Value, to!.Value }.Distinct().ToList();
        foreach (var size in missing.ToList())
        {
            if (await log.CheckpointAsync(size, ct) is not null)
            {
                missing.Remove(size);
            }
        }

        return missing.Count > 0
            ? Problems.Of(Problems.NotFound, $"No checkpoint was signed at size {string.Join(" or ", missing)}: ask for the latest one first.")
            : TypedResults.Ok(await log.ConsistencyAsync(from.Value, to.Value, ct));
    }

    /// <summary>The first of two required sizes that is missing or below 1, named with what it is.</summary>
    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult? Refusal(params (string Name, long? Value, string Meaning)[] sizes) =>
        sizes.FirstOrDefault(s => s.Value is not > 0) is { Name: not null } bad
            ? Problems.Of(Problems.InvalidQuery, bad.Value is null
                ? $"{bad.Name} is required: {bad.Meaning}, from 1."
                : $"{bad.Name} must be at least 1 ({bad.Meaning}); it was {bad.Value}.")
            : null;
}
