using Marten;
using Microsoft.Extensions.Options;
using Npgsql;
using OptOut.Audit.Transparency;
using OptOut.Contracts.Audit;
using OptOut.Patients;
using OptOut.Security;

namespace OptOut.Audit.Reports;

/// <summary>One use of the record as the trail holds it (every field its hash covers), with its inclusion proof.</summary>
public sealed record ProvenEntry(
    long Sequence, DateTimeOffset RecordedAt, string Kind, string Action, string Actor, string ActorRole, string? NhsNumber, string? Purpose,
    int Outcome, string RequestId, string Details, string PreviousHash, string Hash, IReadOnlyList<string> Proof);

/// <summary>
/// A patient's history with what makes it checkable by anyone: the log's signed (and cosigned) checkpoint, the keys
/// to check it with, every entry about the patient up to that checkpoint, each with its inclusion proof, and for each
/// NHS number the record has had, the proof of its leaf in the checkpoint's patient map (how many entries name it and
/// the head of their chain), which shows the list is complete up to the map's size. The map trails the log (it is
/// merged off the checkpoints' path), so <see cref="MapSignedAt"/> says when the log was signed at the map's size: the
/// time up to which the list is shown complete.
/// </summary>
public sealed record AccessLogProof(
    string NhsNumber, string Checkpoint, long CheckpointSize, DateTimeOffset SignedAt, string LogKey, IReadOnlyList<string> WitnessKeys,
    IReadOnlyList<ProvenEntry> Entries, IReadOnlyList<PatientMapProof> Map, DateTimeOffset? MapSignedAt);

/// <summary>One NHS number's proof in the patient map: the branches down its path (bit, sibling) and the leaf it ends at.</summary>
public sealed record PatientMapProof(string NhsNumber, IReadOnlyList<MapStep> Path, MapLeafShown? Leaf);

public sealed record MapStep(int Depth, string Sibling);

/// <summary>A map leaf as served (base64 hashes): the patient's own, or another's whose key proves theirs absent.</summary>
public sealed record MapLeafShown(string Key, long Entries, string Head);

public static class AccessLogProofEndpoint
{
    /// <summary>A history longer than this is a subject access request for staff, not a download.</summary>
    public const int MaxEntries = 10_000;

    public static void MapAccessLogProof(this IEndpointRouteBuilder api) =>
        api.MapGet("/patients/{nhsNumber}/access-log/proof", Handle)
            .WithName("GetAccessLogProof")
            .WithSummary("The patient's history with its proofs: the log's latest signed checkpoint, its keys, and every entry about the patient up to it, each with an RFC 9162 inclusion proof. Check it with `infra/optout verify history`.")
            .WithDescription("This proves each listed use is in the signed log that witnesses check, and, through the checkpoint's patient map, that no entry naming the patient is missing from the list. Lists checked in bulk are not named per patient, so they are not in it.")
            .Produces<AccessLogProof>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization(p => p.RequireRole(Roles.Patient, Roles.Proxy));

    private static async Task<IResult> Handle(
        string nhsNumber, IQuerySession session, NpgsqlDataSource database, AuditSchema schema, LogTree tree, PatientMapStore map, LogProofService log, LogKey key,
        IOptions<TransparencyLogOptions> options, TimeProvider clock, HttpContext http, ILogger<AccessLogProof> logger, CancellationToken ct)
    {
        var (record, problem) = await session.LoadForCallerAsync(nhsNumber, http.User, clock.GetUtcNow(), ct);
        if (record is null)
        {
            return problem!;
        }

        await using var connection = await database.OpenConnectionAsync(ct);
        // One snapshot: the checkpoint, and the entries it covers as they stood when it was read.
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        if (await log.CheckpointAsync(connection, null, ct, witnessed: true) is not { } checkpoint)
        {
            return Problems.Of(Problems.NotFound, "The audit log has no signed checkpoint yet: try again in a second.");
        }

        var size = checkpoint.Size;
        var entries = new List<AuditEntry>();
        await using (var command = new NpgsqlCommand(
            $"select {AuditRows.Columns} from {schema.Table} where nhs_number = any(@numbers) and seq <= @size order by seq limit @limit", connection, transaction))
        {
            command.Parameters.AddWithValue("numbers", record.Supersedes.Prepend(record.Id).ToArray());
            command.Parameters.AddWithValue("size", size);
            command.Parameters.AddWithValue("limit", MaxEntries + 1);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                entries.Add(AuditRows.Read(reader));
            }
        }

        if (entries.Count > MaxEntries)
        {
            return Problems.Unprocessable($"This record has been used more than {MaxEntries:N0} times: ask for a subject access report instead.");
        }

        var maps = new List<PatientMapProof>();
        DateTimeOffset? mapSignedAt = null;
        if (SignedNote.Parse(checkpoint.Note) is { } parsed && LogCheckpoint.Parse(parsed.Text) is { Map: { } signedMap })
        {
            // The map goes up to a checkpoint's size (its builder stops only there), so that checkpoint says when.
            mapSignedAt = (await log.CheckpointAsync(connection, signedMap.Size, ct))?.SignedAt;

            foreach (var number in record.Supersedes.Prepend(record.Id))
            {
                if (await map.ProveAsync(connection, signedMap, PatientMap.Key(number), ct) is not { } proof)
                {
                    logger.LogCritical("The patient map signed with the checkpoint of size {Size} lacks a node on a patient's path: deleted from the store", size);
                    return Problems.Of(Problems.AuditUnavailable, "The audit log's patient map lacks a node this proof needs: the operator has been alerted.");
                }

                maps.Add(new PatientMapProof(number, [.. proof.Path.Select(p => new MapStep(p.Depth, Convert.ToBase64String(p.Sibling)))],
                    proof.Leaf is { } l ? new MapLeafShown(Convert.ToBase64String(l.Key), l.Entries, Convert.ToBase64String(l.Head)) : null));
            }
        }

        var hashes = tree.Read(connection);
        var proven = new List<ProvenEntry>(entries.Count);
        foreach (var e in entries)
        {
            proven.Add(new ProvenEntry(e.Sequence, e.RecordedAt, e.Kind, e.Action, e.Actor, e.ActorRole, e.NhsNumber, e.Purpose, e.Outcome, e.RequestId,
                e.Details, e.PreviousHash, e.Hash, await LogProofService.InclusionHashesAsync(hashes, e.Sequence, size, ct)));
        }

        return TypedResults.Ok(new AccessLogProof(record.Id, checkpoint.Note, size, checkpoint.SignedAt, key.VerifierKey,
            [.. options.Value.Witnesses.Select(w => w.VerifierKey).Where(k => k.Length > 0)], proven, maps, mapSignedAt));
    }
}
