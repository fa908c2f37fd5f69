using Microsoft.Extensions.Options;
using Npgsql;

namespace OptOut.Audit;

/// <summary>
/// Keeps partitions ready ahead of the chain, so a batch never waits for one and never meets a sequence without one.
/// Any tail the writer knows has at least <see cref="Margin"/> sequences of room when a batch is sent, and a batch
/// (records and pending changes' records) adds at most two thousand; every instance keeps the same promise for its
/// own tail, so one instance's stale head cannot outrun the room another made.
/// </summary>
public sealed class AuditPartitions(NpgsqlDataSource database, AuditSchema schema, IOptions<AuditOptions> options, ILogger<AuditPartitions> logger)
{
    private const long Margin = 8_000;

    // The first sequence without a partition, as last made or read; 0 until then.
    private long _room;

    /// <param name="tail">The chain's last sequence as the caller knows it, or null when it does not.</param>
    public async Task EnsureRoomAsync(long? tail, CancellationToken ct)
    {
        if (tail is { } known && known + Margin < Volatile.Read(ref _room))
        {
            return;
        }

        await using var extend = database.CreateCommand($"select {schema.ExtendFunction}($1, $2)");
        extend.Parameters.Add(new() { Value = 2 * Margin });
        extend.Parameters.Add(new() { Value = options.Value.EntriesPerPartition });
        var room = (long)(await extend.ExecuteScalarAsync(ct))!;
        if (room > Volatile.Read(ref _room) && room != long.MaxValue)
        {
            logger.LogDebug("Audit partitions reach sequence {Room}", room - 1);
        }

        Volatile.Write(ref _room, room);
    }
}
