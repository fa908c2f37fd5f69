using JasperFx.Events.Daemon;
using Npgsql;
using OptOut.EventStore;

namespace OptOut.Statistics;

/// <summary>
/// Rebuilds the figures from every event: the projection's shard stops, its counters are emptied and its progress set
/// back to the start in one transaction, and the shard starts again and replays the whole store while the rest of the
/// daemon (the publisher above all) carries on. Answers once the replay has reached the events stored when it began.
/// Marten's own rebuild, tried first, left counts out when changes arrived just after it returned. Progress goes back to
/// the start in the same transaction as the emptying, so a batch still in flight when the shard stopped cannot land its
/// counts afterwards: Marten writes a batch's progress only where it still stands where the batch began, with its counts.
/// </summary>
public sealed class StatisticsRebuild(IProjectionCoordinator coordinator, NpgsqlDataSource database, EventStoreNames names)
{
    private static readonly string Shard = StatisticsProjection.Name + ":All";

    public async Task RunAsync(CancellationToken ct)
    {
        var daemon = coordinator.DaemonForMainDatabase();
        var tables = new StatisticsTables(names.Schema);
        await daemon.StopAgentAsync(Shard, null!);
        long target;
        await using (var connection = await database.OpenConnectionAsync(ct))
        await using (var transaction = await connection.BeginTransactionAsync(ct))
        {
            await using var reset = new NpgsqlCommand(
                $"truncate {tables.Monthly}, {tables.ByPractice}; " +
                $"update {names.Schema}.mt_event_progression set last_seq_id = 0 where name = @shard; " +
                $"select coalesce(max(seq_id), 0) from {names.Events}", connection, transaction);
            reset.Parameters.AddWithValue("shard", Shard);
            target = (long)(await reset.ExecuteScalarAsync(ct))!;
            await transaction.CommitAsync(ct);
        }

        await daemon.RewindSubscriptionAsync(StatisticsProjection.Name, ct, sequenceFloor: 0);

        // The daemon stops its high-water detection when its last agent stops, and starting the agent again does not
        // restart it; with the statistics the daemon's only agent, the mark (which the index and the publisher follow
        // too) would stand still from here on.
        await daemon.RestartHighWaterAgentAsync(ct);
        await using var progress = database.CreateCommand($"select coalesce(max(last_seq_id), 0) from {names.Schema}.mt_event_progression where name = @shard");
        progress.Parameters.AddWithValue("shard", Shard);
        while ((long)(await progress.ExecuteScalarAsync(ct))! < target)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
        }
    }
}
