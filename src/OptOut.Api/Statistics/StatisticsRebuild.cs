using JasperFx.Events.Daemon;
using Npgsql;
using OptOut.EventStore;

namespace OptOut.Statistics;

/// <summary>
/// Rebuilds the figures from every event: the projection's shard stops, its counters are kept aside, emptied and its
/// progress set back to the start in one transaction, and the shard starts again and replays the whole store while the
/// rest of the daemon (the publisher above all) carries on. The replay takes minutes for the whole country (about 1.5
/// for 3.5 million events), longer than a request should wait, so it is begun here and followed through the figures:
/// until it reaches the daemon's high-water mark when it began (every event stored by then, with no gap below it; read
/// from the daemon's progress rather than the events, which the rebuild never waits on), readers get the kept counters (<see cref="StatisticsReader"/>),
/// never a half-replayed count. One at a time: a rebuild asked for while one replays joins it, since a second would
/// keep the first's half-replayed counters. Marten's own rebuild, tried first, left counts out when changes arrived
/// just after it returned. Progress goes back to the start in the same transaction as the emptying, so a batch still
/// in flight when the shard stopped cannot land its counts afterwards: Marten writes a batch's progress only where it
/// still stands where the batch began, with its counts.
/// </summary>
public sealed class StatisticsRebuild(IProjectionCoordinator coordinator, NpgsqlDataSource database, EventStoreNames names)
{
    private const long RebuildLock = 0x4F70744F75745374;
    private static readonly string Shard = StatisticsProjection.Name + ":All";

    /// <summary>Begins a rebuild, unless one is replaying already; either way the figures then say how far it has got.</summary>
    public async Task BeginAsync(CancellationToken ct)
    {
        var daemon = coordinator.DaemonForMainDatabase();
        var tables = new StatisticsTables(names.Schema);
        await using (var connection = await database.OpenConnectionAsync(ct))
        await using (var transaction = await connection.BeginTransactionAsync(ct))
        {
            await using (var one = new NpgsqlCommand($"select pg_advisory_xact_lock({RebuildLock})", connection, transaction))
            {
                await one.ExecuteNonQueryAsync(ct);
            }

            await using var replaying = new NpgsqlCommand(
                $"select exists (select 1 from {tables.Rebuild} r where r.target > coalesce((select last_seq_id from {names.Schema}.mt_event_progression where name = @shard), 0))",
                connection, transaction);
            replaying.Parameters.AddWithValue("shard", Shard);
            if ((bool)(await replaying.ExecuteScalarAsync(ct))!)
            {
                return;
            }

            // Stopped before its counters are kept: a batch in flight lands first, and the kept sequence includes it.
            await daemon.StopAgentAsync(Shard, null!);
            await using var reset = new NpgsqlCommand(
                $"truncate {tables.KeptMonthly}, {tables.KeptByPractice}; " +
                $"insert into {tables.KeptMonthly} select * from {tables.Monthly}; " +
                $"insert into {tables.KeptByPractice} select * from {tables.ByPractice}; " +
                $"delete from {tables.Rebuild}; " +
                $"insert into {tables.Rebuild} (id, kept_sequence, target, started_at) values (1, " +
                $"coalesce((select last_seq_id from {names.Schema}.mt_event_progression where name = @shard), 0), " +
                $"({names.HighWaterMarkQuery}), now()); " +
                $"truncate {tables.Monthly}, {tables.ByPractice}; " +
                $"update {names.Schema}.mt_event_progression set last_seq_id = 0 where name = @shard",
                connection, transaction);
            reset.Parameters.AddWithValue("shard", Shard);
            await reset.ExecuteNonQueryAsync(ct);
            await transaction.CommitAsync(ct);
        }

        // Once the counters are emptied the shard must run again, whatever becomes of this request.
        await daemon.RewindSubscriptionAsync(StatisticsProjection.Name, CancellationToken.None, sequenceFloor: 0);

        // The daemon stops its high-water detection when its last agent stops, and starting the agent again does not
        // restart it; with the statistics the daemon's only agent, the mark (which the index and the publisher follow
        // too) would stand still from here on.
        await daemon.RestartHighWaterAgentAsync(CancellationToken.None);
    }
}
