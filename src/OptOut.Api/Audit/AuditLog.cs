using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Npgsql;

namespace OptOut.Audit;

/// <summary>
/// Appends audit entries to the hash chain. Callers await durability: an entry is committed before the
/// response it describes is sent. Entries queued meanwhile are written together in one transaction (group
/// commit), so auditing every read costs one commit per batch, not one per request. One instance writes the chain
/// (<see cref="ChainLeadership"/>); the others commit their batches to the pending table, which it chains within a
/// tenth of a second, so one chain runs through every instance's entries and no answer waits for another's lock.
/// Batches are pipelined: the next is hashed onto the one in flight and sent at once, in one round trip that takes
/// the lock (so it commits after the one ahead) and inserts only if the head is the one it was hashed onto.
/// </summary>
public sealed class AuditLog(
    NpgsqlDataSource database, AuditSchema schema, AuditCheckpoints checkpoints, AuditPartitions partitions, ChainLeadership leadership,
    Hosting.OptOutMetrics metrics, TimeProvider clock, ILogger<AuditLog> logger) : BackgroundService
{
    private const int MaxBatch = 1000;

    /// <summary>How many batches an instance that does not lead may have on their way to the pending table at once.</summary>
    private const int PendingWriters = 4;

    /// <summary>The advisory lock taken to continue the chain ("OptOutAu"): by the leader, and by anyone during a handover.</summary>
    public const long ChainLock = 0x4F70744F75744175;

    /// <summary>
    /// The longest a batch waits for the chain (its lock, or its table) before its entries go to the pending table
    /// instead: a handover, or a session holding the chain, then delays those answers by this much and no more.
    /// </summary>
    private const int ChainWaitMs = 250;

    /// <summary>The wait set first, in a statement of its own, so it is in force when the lock is asked for.</summary>
    private static NpgsqlBatchCommand[] TakeChainLock() =>
        [new($"select set_config('lock_timeout', '{ChainWaitMs}ms', true)"), new($"select pg_advisory_xact_lock({ChainLock})")];

    private long _heldUpReportedAt;
    private long _unanchored;
    private DateTimeOffset? _unanchoredSince;

    // The chain's head as this instance last wrote or read it, onto which the next batch is hashed without asking; null
    // when unknown (at start, after a failure).
    private ChainHead? _head;

    // The head as this instance last knew it stored; a pipelined batch hashed onto it can be sent again as it is.
    private ChainHead? _stored;

    // Not a single reader: the loop may leave a wait for entries behind when the batch in flight commits first.
    private readonly Channel<(AuditRecord Record, TaskCompletionSource Done)> _queue =
        Channel.CreateUnbounded<(AuditRecord, TaskCompletionSource)>(new UnboundedChannelOptions { SingleReader = false });

    // Set when changes, other instances or a crash may have left records in the pending table; only the leader acts on it.
    private int _pendingMayExist = 1;

    private readonly SemaphoreSlim _pendingWriters = new(PendingWriters);

    public Task RecordAsync(AuditRecord record)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _queue.Writer.TryWrite((record, done)) ? done.Task : Task.FromException(new InvalidOperationException("The audit log is closed."));
    }

    /// <summary>A change committed its audit record to the pending table (<see cref="ChangeAudit"/>): chain it soon.</summary>
    public void ChainPending()
    {
        Interlocked.Exchange(ref _pendingMayExist, 1);
        _queue.Writer.TryWrite((Wake, Woken));
    }

    private static readonly AuditRecord Wake = new("", "", "", "", null, null, 0, "", "");
    private static readonly TaskCompletionSource Woken = new();

    /// <summary>The audit tables exist before the server takes its first request: a change writes its audit record directly.</summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken);
        try
        {
            await leadership.TryLeadAsync(cancellationToken);
        }
        catch (NpgsqlException ex)
        {
            logger.LogWarning(ex, "The audit chain's leadership could not be tried at start; it is tried again in the background");
        }

        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var publishing = checkpoints.PublishQueuedAsync(stoppingToken);
        var leading = leadership.RunAsync(ChainPending, stoppingToken);
        InFlight? inFlight = null;
        try
        {
            while (true)
            {
                if (inFlight is not null && !_queue.Reader.TryPeek(out _))
                {
                    // Answer the batch in flight as soon as it commits, unless new entries arrive first to go out behind it.
                    var arriving = _queue.Reader.WaitToReadAsync(stoppingToken).AsTask();
                    await Task.WhenAny(arriving, inFlight.Stored);
                    stoppingToken.ThrowIfCancellationRequested();
                    if (inFlight.Stored.IsCompleted)
                    {
                        await SettleAsync(inFlight, stoppingToken);
                        inFlight = null;
                    }

                    continue;
                }

                if (inFlight is null && !await _queue.Reader.WaitToReadAsync(stoppingToken))
                {
                    break;
                }

                var batch = new List<(AuditRecord Record, TaskCompletionSource Done)>();
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var item))
                {
                    if (!ReferenceEquals(item.Record, Wake))
                    {
                        batch.Add(item);
                    }
                }

                if (batch.Count > 0 && !leadership.Leading)
                {
                    await StorePendingAsync(batch, stoppingToken);
                    batch = [];
                }

                var drainPending = leadership.Leading && Interlocked.Exchange(ref _pendingMayExist, 0) == 1;
                if (batch.Count > 0 || drainPending)
                {
                    await EnsureRoomAsync(stoppingToken);
                }

                if (!drainPending && _head is { } head && batch.Count > 0 && !CheckpointDue(batch.Count))
                {
                    // Pipelined: hashed onto the batch in flight and sent now, to wait in PostgreSQL for that one's commit.
                    var chained = new ChainedBatch(head, [.. batch.Select(b => b.Record)], clock.GetUtcNow());
                    var next = new InFlight(batch, chained, InsertGuardedAsync(chained, stoppingToken));
                    Unanchored(batch.Count);
                    _head = next.Chained.Tail;
                    if (inFlight is not null)
                    {
                        await SettleAsync(inFlight, stoppingToken);
                    }

                    inFlight = next;
                    continue;
                }

                if (inFlight is not null)
                {
                    await SettleAsync(inFlight, stoppingToken);
                    inFlight = null;
                }

                if (batch.Count > 0 || drainPending)
                {
                    await AppendAnsweringAsync(batch, drainPending, stoppingToken);
                }
            }
        }
        finally
        {
            if (inFlight is not null)
            {
                await SettleAsync(inFlight, CancellationToken.None);
            }

            for (var i = 0; i < PendingWriters; i++)
            {
                await _pendingWriters.WaitAsync(CancellationToken.None);
            }

            await publishing;
            await leading;
        }
    }

    /// <summary>A pipelined batch: its waiters, its hashed entries, and whether the guarded insert stored them.</summary>
    private sealed record InFlight(List<(AuditRecord Record, TaskCompletionSource Done)> Waiters, ChainedBatch Chained, Task<bool> Stored);

    /// <summary>
    /// Answers a pipelined batch once it is durable. It stored nothing if the head was not the one it was hashed onto:
    /// most often because its connection took the lock before the batch ahead's did (nothing orders two connections),
    /// so once that one is stored it is sent again as it is; if the head moved otherwise (the batch ahead failed, or
    /// another instance wrote), its entries are chained afresh under the lock, still ahead of anything later.
    /// </summary>
    private async Task SettleAsync(InFlight batch, CancellationToken ct)
    {
        try
        {
            var stored = await batch.Stored || (batch.Chained.Onto == _stored && await InsertGuardedAsync(batch.Chained, ct));
            if (stored)
            {
                _stored = batch.Chained.Tail;
                metrics.AuditBatch.Record(batch.Waiters.Count);
                batch.Waiters.ForEach(b => b.Done.TrySetResult());
                return;
            }
        }
        catch (Exception ex) when (IsEntryRefused(ex))
        {
            // One entry PostgreSQL will not store: chained afresh, in halves, so the others are still answered.
            _head = _stored = null;
        }
        catch (PostgresException ex) when (IsChainHeld(ex))
        {
            _head = _stored = null;
            await DivertAsync(batch.Waiters, ct);
            return;
        }
#pragma warning disable CA1031 // Whatever failed, the loop must live on: a dead writer would hang every request.
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
#pragma warning restore CA1031
        {
            Failed(batch.Waiters, ex);
            return;
        }

        await AppendAnsweringAsync(batch.Waiters, drainPending: false, ct);
    }

    /// <summary>Chains a batch under the lock, reading the head afresh, and answers its waiters.</summary>
    private async Task AppendAnsweringAsync(List<(AuditRecord Record, TaskCompletionSource Done)> batch, bool drainPending, CancellationToken ct)
    {
        try
        {
            var chained = await AppendAsync([.. batch.Select(b => b.Record)], drainPending, ct);
            metrics.AuditBatch.Record(chained);
            batch.ForEach(b => b.Done.TrySetResult());
        }
        catch (PostgresException ex) when (IsChainHeld(ex))
        {
            _head = _stored = null;
            if (drainPending)
            {
                Interlocked.Exchange(ref _pendingMayExist, 1);
            }

            await DivertAsync(batch, ct);
        }
        catch (Exception ex) when (IsEntryRefused(ex) && batch.Count > 1)
        {
            // Entries are made storable before they are queued; should PostgreSQL still refuse one, the batch is halved
            // until that entry stands alone, so only its own request fails and everyone else's is answered.
            logger.LogWarning("PostgreSQL refused an entry of an audit batch of {Count} ({SqlState}); chaining it in halves", batch.Count, (ex as Npgsql.PostgresException)?.SqlState);
            _head = _stored = null;
            await AppendAnsweringAsync(batch[..(batch.Count / 2)], drainPending, ct);
            await AppendAnsweringAsync(batch[(batch.Count / 2)..], drainPending: false, ct);
        }
#pragma warning disable CA1031 // Whatever failed, the loop must live on: a dead writer would hang every request.
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
#pragma warning restore CA1031
        {
            Failed(batch, ex);
            Interlocked.Exchange(ref _pendingMayExist, 1);
        }
    }

    /// <summary>
    /// On an instance that does not lead, a batch is committed to the pending table and answered; the next batch need
    /// not wait for it, as nothing is hashed onto it here. The leader chains it.
    /// </summary>
    private async Task StorePendingAsync(List<(AuditRecord Record, TaskCompletionSource Done)> batch, CancellationToken ct)
    {
        await _pendingWriters.WaitAsync(ct);
        _ = Task.Run(async () =>
        {
            try
            {
                await StorePendingAnsweringAsync(batch);
            }
            finally
            {
                _pendingWriters.Release();
            }
        }, CancellationToken.None);
    }

    private async Task StorePendingAnsweringAsync(List<(AuditRecord Record, TaskCompletionSource Done)> batch)
    {
        try
        {
            await using var insert = database.CreateCommand($"""
                insert into {schema.Pending} (record, event_ids)
                select r, array[]::uuid[] from unnest($1::jsonb[]) with ordinality as u(r, n) order by n
                """);
            insert.Parameters.Add(new() { Value = batch.Select(b => JsonSerializer.Serialize(b.Record)).ToArray(), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Jsonb });
            await insert.ExecuteNonQueryAsync(CancellationToken.None);
            metrics.AuditBatch.Record(batch.Count);
            batch.ForEach(b => b.Done.TrySetResult());
        }
        catch (Exception ex) when (IsEntryRefused(ex) && batch.Count > 1)
        {
            await StorePendingAnsweringAsync(batch[..(batch.Count / 2)]);
            await StorePendingAnsweringAsync(batch[(batch.Count / 2)..]);
        }
#pragma warning disable CA1031 // Whatever failed, its requests fail rather than go unrecorded, and nobody else's.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            logger.LogError(ex, "Audit entries could not be written; their requests fail rather than go unrecorded");
            batch.ForEach(b => b.Done.TrySetException(ex));
        }
    }

    /// <summary>The chain was held past <see cref="ChainWaitMs"/>: the batch goes to the pending table, to be chained once it is free.</summary>
    private async Task DivertAsync(List<(AuditRecord Record, TaskCompletionSource Done)> batch, CancellationToken ct)
    {
        // Once in ten seconds at most: while the chain is held, every batch comes this way.
        var now = clock.GetTimestamp();
        if (clock.GetElapsedTime(_heldUpReportedAt, now) > TimeSpan.FromSeconds(10))
        {
            _heldUpReportedAt = now;
            logger.LogWarning("The audit chain was held by another session for over {Wait} ms; entries wait in the pending table until it is free", ChainWaitMs);
        }

        if (batch.Count > 0)
        {
            await StorePendingAsync(batch, ct);
        }
    }

    /// <summary>PostgreSQL's lock_timeout: the chain's lock, or its table, was held by another session.</summary>
    private static bool IsChainHeld(PostgresException ex) => ex.SqlState == PostgresErrorCodes.LockNotAvailable;

    /// <summary>A refusal of what an entry holds (PostgreSQL's data exceptions, class 22), not of the database itself.</summary>
    private static bool IsEntryRefused(Exception ex) =>
        ex is Npgsql.PostgresException { SqlState: ['2', '2', ..] } or System.Text.EncoderFallbackException;

    private void Failed(List<(AuditRecord Record, TaskCompletionSource Done)> batch, Exception ex)
    {
        logger.LogError(ex, "Audit entries could not be written; their requests fail rather than go unrecorded");
        batch.ForEach(b => b.Done.TrySetException(ex));
        _head = _stored = null;
    }

    /// <summary>
    /// One round trip, committed at its end (a batch outside a transaction is one implicit transaction): the chain lock,
    /// held until the commit, then the insert, which stores nothing unless the head is still the one the batch was hashed onto.
    /// </summary>
    private async Task<bool> InsertGuardedAsync(ChainedBatch chained, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        await using var write = new NpgsqlBatch(connection);
        foreach (var command in TakeChainLock())
        {
            write.BatchCommands.Add(command);
        }

        var insert = chained.Insert(schema.Table, guarded: true);
        write.BatchCommands.Add(insert);
        await write.ExecuteNonQueryAsync(ct);
        return insert.RecordsAffected == chained.Records.Count;
    }

    /// <summary>
    /// Partitions ahead of the head before a batch goes out. Should that fail, the batch still goes: it finds room
    /// unless the database has none, and then its requests fail as they would on any refused write.
    /// </summary>
    private async Task EnsureRoomAsync(CancellationToken ct)
    {
        try
        {
            await partitions.EnsureRoomAsync(_head?.Sequence, ct);
        }
        catch (NpgsqlException ex) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Audit partitions could not be made ahead of the chain");
        }
    }

    private bool CheckpointDue(int adding) =>
        checkpoints.IsDue(_unanchored + adding, _unanchoredSince is { } since ? clock.GetUtcNow() - since : TimeSpan.Zero);

    private void Unanchored(int added)
    {
        _unanchored += added;
        _unanchoredSince ??= clock.GetUtcNow();
    }

    private async Task EnsureSchemaAsync(CancellationToken ct)
    {
        while (true)
        {
            try
            {
                await schema.EnsureAsync(ct);
                return;
            }
            catch (NpgsqlException ex)
            {
                logger.LogWarning(ex, "Audit table could not be checked; retrying");
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
        }
    }

    /// <returns>How many entries were chained: the records given, and any pending records of changes.</returns>
    private async Task<int> AppendAsync(List<AuditRecord> records, bool drainPending, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        long sequence = 0;
        var previous = Contracts.Audit.AuditChain.Genesis;

        // One round trip: BEGIN (Npgsql sends it with the first statement), the chain lock, then the head. Each statement
        // takes its own snapshot, so the head is read once the lock is held; and seq is the key, so no fork could commit.
        await using (var start = new NpgsqlBatch(connection, transaction))
        {
            foreach (var command in TakeChainLock())
            {
                start.BatchCommands.Add(command);
            }

            start.BatchCommands.Add(new($"select seq, hash from {schema.Table} order by seq desc limit 1"));
            await using var reader = await start.ExecuteReaderAsync(ct);
            await reader.NextResultAsync(ct);
            await reader.NextResultAsync(ct);
            if (await reader.ReadAsync(ct))
            {
                sequence = reader.GetInt64(0);
                previous = reader.GetString(1);
            }
        }

        if (drainPending)
        {
            var pending = await TakePendingAsync(connection, ct);
            records.InsertRange(0, pending);
            if (pending.Count == MaxBatch)
            {
                ChainPending(); // more wait behind these
            }
        }

        if (records.Count == 0)
        {
            await transaction.CommitAsync(ct);
            _head = _stored = new(sequence, previous);
            return 0;
        }

        var chained = new ChainedBatch(new(sequence, previous), records, clock.GetUtcNow());
        await using (var insert = new NpgsqlBatch(connection, transaction) { BatchCommands = { chained.Insert(schema.Table, guarded: false) } })
        {
            await insert.ExecuteNonQueryAsync(ct);
        }

        // Counted here so most batches skip the checkpoint queries; the database has the final word when one is due.
        Unanchored(records.Count);
        AuditCheckpoint? checkpoint = null;
        if (CheckpointDue(0))
        {
            checkpoint = await checkpoints.SignIfDueAsync(connection, chained.Tail.Sequence, chained.Tail.Hash, clock.GetUtcNow(), ct);
            (_unanchored, _unanchoredSince) = (0, null);
        }

        await transaction.CommitAsync(ct);
        _head = _stored = chained.Tail;
        if (checkpoint is not null)
        {
            checkpoints.QueueForPublishing(checkpoint);
        }

        return records.Count;
    }

    /// <summary>
    /// Takes the changes' pending records (under the chain lock, so each is chained exactly once) and names in each the
    /// sequences its events were given at commit, and their digest (<see cref="EventDigests"/>).
    /// </summary>
    private async Task<List<AuditRecord>> TakePendingAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var take = new NpgsqlCommand($"""
            with moved as (
              delete from {schema.Pending} where id = any(array(select id from {schema.Pending} order by id limit {MaxBatch}))
              returning id, record, event_ids, stream_ids)
            select m.id, m.record::text, coalesce(n.sequences, array[]::bigint[]), coalesce(n.digests, array[]::bytea[])
            from moved m left join lateral (
              select array_agg(e.seq_id order by e.seq_id) sequences, array_agg({EventDigests.Sql("e")} order by e.seq_id) digests
              from (
                select * from {schema.Events} e where e.stream_id = any(m.stream_ids) and e.id = any(m.event_ids)
                -- Records written before streams were stored beside them (a crash's leftovers): rare, so a scan will do.
                union all select * from {schema.Events} e where cardinality(m.stream_ids) = 0 and cardinality(m.event_ids) > 0 and e.id = any(m.event_ids)
              ) e) n on true
            order by m.id
            """, connection);
        var taken = new List<AuditRecord>();
        await using var reader = await take.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            if (Readable(reader.GetString(1)) is not { } record)
            {
                taken.Add(Unreadable(reader.GetInt64(0), reader.GetString(1)));
                continue;
            }

            var details = JsonNode.Parse(record.Details)!.AsObject();
            EventDigests.Name(details, reader.GetFieldValue<long[]>(2), reader.GetFieldValue<byte[][]>(3));

            taken.Add(record with { Details = details.ToJsonString() });
        }

        return taken;
    }

    /// <summary>
    /// A pending record as the service wrote it, or null if it cannot be one (a superuser's edit, a damaged row): every
    /// field an entry needs, and details that are a JSON object.
    /// </summary>
    internal static AuditRecord? Readable(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<AuditRecord>(json) is { Kind: not null, Action: not null, Actor: not null, ActorRole: not null, RequestId: not null, Details: not null } record
                   && JsonNode.Parse(record.Details) is JsonObject ? record : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Chained in a bad record's place, so that one row can neither stop the chain (every later batch would fail with
    /// it) nor vanish from the trail: what the row held, as text, for the DPO to see.
    /// </summary>
    private static AuditRecord Unreadable(long id, string json) => new AuditRecord(
        "access", "unreadable pending audit record", "optout", "system", null, null, 0, $"pending-{id}",
        new JsonObject { ["pendingRecord"] = json }.ToJsonString()).Storable();
}
