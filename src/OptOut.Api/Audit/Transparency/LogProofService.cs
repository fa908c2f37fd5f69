using Npgsql;
using OptOut.Contracts.Audit;

namespace OptOut.Audit.Transparency;

/// <summary>An RFC 9162 proof: the tree hashes, in order, for a verifier to fold (base64, as checkpoints carry roots).</summary>
public sealed record LogProof(long LeafIndex, long TreeSize, IReadOnlyList<string> Hashes);

public sealed record ConsistencyProof(long FromSize, long ToSize, IReadOnlyList<string> Hashes);

/// <summary>A signed checkpoint as served: the note with any cosignatures, its size, and when the log signed it.</summary>
public sealed record SignedCheckpointNote(long Size, string Note, DateTimeOffset SignedAt);

/// <summary>The signed checkpoints and the proofs against them, read from the stored tree (<see cref="LogTree"/>).</summary>
public sealed class LogProofService(NpgsqlDataSource database, LogTree tree)
{
    /// <summary>
    /// The latest signed checkpoint (a C2SP signed note), or the one of exactly <paramref name="size"/>, with the
    /// witnesses' cosignatures of it as further signature lines; null if there is none.
    /// </summary>
    public async Task<SignedCheckpointNote?> CheckpointAsync(long? size, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        return await CheckpointAsync(connection, size, ct);
    }

    /// <summary>
    /// As above, on the caller's connection (and in its transaction, to read it in one snapshot with entries); with
    /// <paramref name="mapped"/>, the latest that signs a patient map (the latest of all while none does); with
    /// <paramref name="witnessed"/>, the latest a witness has cosigned, unless it is over a minute older than the latest.
    /// </summary>
    /// <remarks>
    /// A busy log signs a checkpoint every few hundred milliseconds and a witness cosigns one a second, so the latest
    /// is almost never cosigned yet: a patient's download is worth more with the witness's word on it, a moment older.
    /// </remarks>
    public async Task<SignedCheckpointNote?> CheckpointAsync(NpgsqlConnection connection, long? size, CancellationToken ct, bool mapped = false, bool witnessed = false)
    {
        var latest = $"(select max(size) from {tree.Checkpoints})";
        var which = size is not null ? "@size"
            : mapped ? $"coalesce((select size from {tree.Checkpoints} where strpos(note, E'\nmap ') > 0 order by size desc limit 1), {latest})"
            : witnessed ? $"coalesce((select c.size from {tree.Checkpoints} c where c.size = (select max(size) from {tree.Cosignatures}) " +
                          $"and c.signed_at > (select signed_at from {tree.Checkpoints} order by size desc limit 1) - interval '1 minute'), {latest})"
            : latest;
        await using var command = new NpgsqlCommand(
            $"select c.size, c.signed_at, c.note || coalesce((select string_agg(w.line, '' order by w.witness) from {tree.Cosignatures} w where w.size = c.size), '') " +
            $"from {tree.Checkpoints} c where c.size = {which}", connection);
        command.Parameters.AddWithValue("size", size ?? 0);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new SignedCheckpointNote(reader.GetInt64(0), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(1)) : null;
    }

    /// <summary>The hashes proving leaf <paramref name="sequence"/> - 1 in the tree of <paramref name="size"/>, read through <paramref name="hashes"/>.</summary>
    public static Task<IReadOnlyList<string>> InclusionHashesAsync(LogTree.Reader hashes, long sequence, long size, CancellationToken ct) =>
        HashesAsync(hashes, LogProofs.InclusionRanges(sequence - 1, size), ct);

    /// <summary>Entry <paramref name="sequence"/>'s inclusion in the checkpoint of <paramref name="size"/> (leaf index = sequence - 1).</summary>
    public async Task<LogProof> InclusionAsync(long sequence, long size, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        return new LogProof(sequence - 1, size, await InclusionHashesAsync(tree.Read(connection), sequence, size, ct));
    }

    public async Task<ConsistencyProof> ConsistencyAsync(long from, long to, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        return new ConsistencyProof(from, to, await HashesAsync(tree.Read(connection), LogProofs.ConsistencyRanges(from, to), ct));
    }

    private static async Task<IReadOnlyList<string>> HashesAsync(LogTree.Reader reader, IReadOnlyList<(long Start, long End)> ranges, CancellationToken ct)
    {
        var hashes = new List<string>(ranges.Count);
        foreach (var (start, end) in ranges)
        {
            hashes.Add(Convert.ToBase64String(await reader.RangeHashAsync(start, end, ct)));
        }

        return hashes;
    }
}
