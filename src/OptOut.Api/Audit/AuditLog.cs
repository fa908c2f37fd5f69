using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Npgsql;
using NpgsqlTypes;

namespace OptOut.Audit;

/// <summary>
/// Appends audit entries to the hash chain. Callers await durability: an entry is committed before the
/// response it describes is sent. Entries queued meanwhile are written together in one transaction (group
/// commit), so auditing every read costs one commit per batch, not one per request. An advisory lock
/// serialises batches across instances, so one chain runs through every instance's entries.
/// </summary>
public sealed class AuditLog(NpgsqlDataSource database, AuditSchema schema, AuditCheckpoints checkpoints, Hosting.OptOutMetrics metrics, TimeProvider clock, ILogger<AuditLog> logger) : BackgroundService
{
    private const int MaxBatch = 1000;
    private const long ChainLock = 0x4F70744F75744175; // "OptOutAu"
    private long _unanchored;
    private DateTimeOffset? _unanchoredSince;
    private readonly Channel<(AuditRecord Record, TaskCompletionSource Done)> _queue =
        Channel.CreateUnbounded<(AuditRecord, TaskCompletionSource)>(new UnboundedChannelOptions { SingleReader = true });

    // Set when changes may have left records in the pending table; a sweep sets it too, for records a crash left behind.
    private int _pendingMayExist = 1;

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
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var publishing = checkpoints.PublishQueuedAsync(stoppingToken);
        var sweeping = SweepAsync(stoppingToken);
        try
        {
            var batch = new List<(AuditRecord Record, TaskCompletionSource Done)>(MaxBatch);
            while (await _queue.Reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var item))
                {
                    if (!ReferenceEquals(item.Record, Wake))
                    {
                        batch.Add(item);
                    }
                }

                try
                {
                    var drainPending = Interlocked.Exchange(ref _pendingMayExist, 0) == 1;
                    if (batch.Count > 0 || drainPending)
                    {
                        var chained = await AppendAsync(batch.Select(b => b.Record).ToList(), drainPending, stoppingToken);
                        metrics.AuditBatch.Record(chained);
                    }

                    batch.ForEach(b => b.Done.TrySetResult());
                }
#pragma warning disable CA1031 // Whatever failed, the loop must live on: a dead writer would hang every request.
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
#pragma warning restore CA1031
                {
                    logger.LogError(ex, "Audit entries could not be written; their requests fail rather than go unrecorded");
                    batch.ForEach(b => b.Done.TrySetException(ex));
                    Interlocked.Exchange(ref _pendingMayExist, 1);
                }

                batch.Clear();
            }
        }
        finally
        {
            await publishing;
            await sweeping;
        }
    }

    /// <summary>Chains, every second, what a crashed instance (or a failed batch) left in the pending table.</summary>
    private async Task SweepAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), clock);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                ChainPending();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
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
        await using (var start = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands = { new($"select pg_advisory_xact_lock({ChainLock})"), new($"select seq, hash from {schema.Table} order by seq desc limit 1") },
        })
        await using (var reader = await start.ExecuteReaderAsync(ct))
        {
            await reader.NextResultAsync(ct);
            if (await reader.ReadAsync(ct))
            {
                sequence = reader.GetInt64(0);
                previous = reader.GetString(1);
            }
        }

        if (drainPending)
        {
            records.InsertRange(0, await TakePendingAsync(connection, ct));
        }

        if (records.Count == 0)
        {
            await transaction.CommitAsync(ct);
            return 0;
        }

        previous = await InsertChainedAsync(connection, records, sequence, previous, ct);
        sequence += records.Count;

        // Counted here so most batches skip the checkpoint queries; the database has the final word when one is due.
        _unanchored += records.Count;
        _unanchoredSince ??= clock.GetUtcNow();
        AuditCheckpoint? checkpoint = null;
        if (checkpoints.IsDue(_unanchored, clock.GetUtcNow() - _unanchoredSince.Value))
        {
            checkpoint = await checkpoints.SignIfDueAsync(connection, sequence, previous, clock.GetUtcNow(), ct);
            (_unanchored, _unanchoredSince) = (0, null);
        }

        await transaction.CommitAsync(ct);
        if (checkpoint is not null)
        {
            checkpoints.QueueForPublishing(checkpoint);
        }

        return records.Count;
    }

    /// <summary>Chains the records after the head in one statement (arrays, one round trip), all with the batch's time.</summary>
    /// <returns>The new head's hash.</returns>
    private async Task<string> InsertChainedAsync(NpgsqlConnection connection, List<AuditRecord> records, long head, string previous, CancellationToken ct)
    {
        var at = AuditEntry.ToStoredPrecision(clock.GetUtcNow());
        var (sequences, previousHashes, hashes) = (new long[records.Count], new string[records.Count], new string[records.Count]);
        for (var i = 0; i < records.Count; i++)
        {
            var r = records[i];
            sequences[i] = head + i + 1;
            previousHashes[i] = previous;
            hashes[i] = previous = Contracts.Audit.AuditChain.HashOf(sequences[i], at, r.Kind, r.Action, r.Actor, r.ActorRole, r.NhsNumber, r.Purpose, r.Outcome, r.RequestId, r.Details, previousHashes[i]);
        }

        await using var insert = new NpgsqlCommand($"""
            insert into {schema.Table} (seq, recorded_at, kind, action, actor, actor_role, nhs_number, purpose, outcome, request_id, details, prev_hash, hash)
            select s, $2, k, a, ac, r, n, p, o, q, d, ph, h
            from unnest($1::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int[], $10::text[], $11::text[], $12::text[], $13::text[])
              as u(s, k, a, ac, r, n, p, o, q, d, ph, h)
            """, connection)
        {
            Parameters =
            {
                new() { Value = sequences },
                new() { Value = at },
                new() { Value = records.Select(r => r.Kind).ToArray() },
                new() { Value = records.Select(r => r.Action).ToArray() },
                new() { Value = records.Select(r => r.Actor).ToArray() },
                new() { Value = records.Select(r => r.ActorRole).ToArray() },
                new() { Value = records.Select(r => r.NhsNumber).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
                new() { Value = records.Select(r => r.Purpose).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
                new() { Value = records.Select(r => r.Outcome).ToArray() },
                new() { Value = records.Select(r => r.RequestId).ToArray() },
                new() { Value = records.Select(r => r.Details).ToArray() },
                new() { Value = previousHashes },
                new() { Value = hashes },
            },
        };
        await insert.ExecuteNonQueryAsync(ct);
        return previous;
    }

    /// <summary>
    /// Takes the changes' pending records (under the chain lock, so each is chained exactly once) and names in each the
    /// sequences its events were given at commit.
    /// </summary>
    private async Task<List<AuditRecord>> TakePendingAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var take = new NpgsqlCommand($"""
            with moved as (
              delete from {schema.Pending} where id = any(array(select id from {schema.Pending} order by id limit {MaxBatch}))
              returning id, record, event_ids, stream_ids)
            select m.record::text, array(
              select e.seq_id from {schema.Events} e where e.stream_id = any(m.stream_ids) and e.id = any(m.event_ids)
              -- Records written before streams were stored beside them (a crash's leftovers): rare, so a scan will do.
              union all select e.seq_id from {schema.Events} e where cardinality(m.stream_ids) = 0 and cardinality(m.event_ids) > 0 and e.id = any(m.event_ids)
              order by 1)
            from moved m order by m.id
            """, connection);
        var taken = new List<AuditRecord>();
        await using var reader = await take.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var record = JsonSerializer.Deserialize<AuditRecord>(reader.GetString(0))!;
            var sequences = reader.GetFieldValue<long[]>(1);
            var details = JsonNode.Parse(record.Details)!.AsObject();
            if (sequences.Length > 0)
            {
                details["eventSequence"] = sequences[^1].ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            if (sequences.Length > 1)
            {
                details["eventSequences"] = new JsonArray([.. sequences.Select(q => JsonValue.Create(q))]);
            }

            taken.Add(record with { Details = details.ToJsonString() });
        }

        return taken;
    }

}
