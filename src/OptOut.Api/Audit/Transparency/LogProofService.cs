using Npgsql;
using OptOut.Contracts.Audit;

namespace OptOut.Audit.Transparency;

/// <summary>An RFC 9162 proof: the tree hashes, in order, for a verifier to fold (base64, as checkpoints carry roots).</summary>
public sealed record LogProof(long LeafIndex, long TreeSize, IReadOnlyList<string> Hashes);

public sealed record ConsistencyProof(long FromSize, long ToSize, IReadOnlyList<string> Hashes);

/// <summary>The signed checkpoints and the proofs against them, read from the stored tree (<see cref="LogTree"/>).</summary>
public sealed class LogProofService(NpgsqlDataSource database, LogTree tree)
{
    /// <summary>
    /// The latest signed checkpoint (a C2SP signed note), or the one of exactly <paramref name="size"/>, with the
    /// witnesses' cosignatures of it as further signature lines; null if there is none.
    /// </summary>
    public async Task<(long Size, string Note)?> CheckpointAsync(long? size, CancellationToken ct)
    {
        var which = size is null ? $"(select max(size) from {tree.Checkpoints})" : "@size";
        await using var command = database.CreateCommand(
            $"select c.size, c.note || coalesce((select string_agg(w.line, '' order by w.witness) from {tree.Cosignatures} w where w.size = c.size), '') " +
            $"from {tree.Checkpoints} c where c.size = {which}");
        command.Parameters.AddWithValue("size", size ?? 0);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? (reader.GetInt64(0), reader.GetString(1)) : null;
    }

    /// <summary>Entry <paramref name="sequence"/>'s inclusion in the checkpoint of <paramref name="size"/> (leaf index = sequence - 1).</summary>
    public async Task<LogProof> InclusionAsync(long sequence, long size, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        var hashes = await HashesAsync(connection, LogProofs.InclusionRanges(sequence - 1, size), ct);
        return new LogProof(sequence - 1, size, hashes);
    }

    public async Task<ConsistencyProof> ConsistencyAsync(long from, long to, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        return new ConsistencyProof(from, to, await HashesAsync(connection, LogProofs.ConsistencyRanges(from, to), ct));
    }

    private async Task<IReadOnlyList<string>> HashesAsync(NpgsqlConnection connection, IReadOnlyList<(long Start, long End)> ranges, CancellationToken ct)
    {
        var reader = tree.Read(connection);
        var hashes = new List<string>(ranges.Count);
        foreach (var (start, end) in ranges)
        {
            hashes.Add(Convert.ToBase64String(await reader.RangeHashAsync(start, end, ct)));
        }

        return hashes;
    }
}
