using Microsoft.Extensions.Options;
using Npgsql;
using OptOut.NhsNumbers;
using OptOut.EventStore;

namespace OptOut.Indexing;

public sealed class OptOutIndexOptions
{
    /// <summary>How often the index looks for new events once it has caught up.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(25);

    /// <summary>How long a request that demands a minimum sequence may wait for the index before a 503.</summary>
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>
/// Builds the index at start-up from its last checkpoint and the events after it (or, without one, from the snapshot
/// table in one consistent read), then follows the event store, saving a checkpoint now and then. Every instance follows for itself, so each answers from a current index whichever instance
/// leads the async daemon. It reads only committed events (<see cref="CommittedEvents"/>), so it never skips an event
/// committed late (the gap Marten's daemon guards against).
/// </summary>
public sealed class OptOutIndexFollower(
    NpgsqlDataSource database, OptOutIndex index, EventStoreNames names, CommittedEvents committed, IOptions<OptOutIndexOptions> options, ILogger<OptOutIndexFollower> logger)
    : BackgroundService
{
    private const int PageSize = 10_000;

    /// <summary>
    /// A snapshot that holds a refusal of consent for some purpose. No partial index serves it: Marten's start-up
    /// migration cannot read back an index whose predicate holds a JSON path, and fails. So a cold build reads every
    /// snapshot for it (6.5 s over 6 million on the benchmark machine); a start from a checkpoint does not.
    /// </summary>
    private static readonly string Refuses = $"jsonb_path_exists(data, '$.consents.* ? (@.status == \"{nameof(Records.ConsentStatus.Deny)}\")')";

    // A restart replays at most about this many events, or this long's worth, after the last checkpoint.
    private const long CheckpointEvery = 50_000;
    private static readonly TimeSpan CheckpointAfter = TimeSpan.FromMinutes(1);

    private readonly OptOutIndexCheckpoint _checkpoint = new(database, names);
    private long _saved;
    private readonly System.Diagnostics.Stopwatch _savedAt = System.Diagnostics.Stopwatch.StartNew();
    private Task _saving = Task.CompletedTask;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!index.IsReady)
                {
                    await BuildAsync(stoppingToken);
                }

                if (await CatchUpAsync(stoppingToken) < PageSize)
                {
                    SaveIfDue(stoppingToken);
                    await index.WaitForWorkAsync(options.Value.PollInterval, stoppingToken);
                }
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                logger.LogWarning(ex, "Opt-out index could not read the event store; retrying");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await _saving;

        // The next start then replays only what happens after this one stopped.
        if (index.IsReady && index.Sequence > _saved)
        {
            await SaveAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Makes the index current: from the last checkpoint and the events after it when there is one this store can
    /// trust, otherwise from the snapshots (and then saves a checkpoint). The index answers only once it is current.
    /// Returns the checkpoint's sequence, or null when it was built from the snapshots.
    /// </summary>
    public async Task<long?> BuildAsync(CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        index.Clear();
        var from = await _checkpoint.TryLoadAsync(index, ct);
        if (from is null)
        {
            await BuildFromSnapshotsAsync(ct);
            StartSave(ct);
            return null;
        }

        await using var connection = await database.OpenConnectionAsync(ct);
        var reached = from.Value;
        for (var full = true; full;)
        {
            (_, reached, full) = await ApplyEventsAsync(connection, reached, ct);
        }

        index.Advance(reached);
        _saved = from.Value;
        _savedAt.Restart();
        logger.LogInformation("Opt-out index built in {Elapsed} ms from its checkpoint at sequence {Checkpoint}: {National} national and {Type1} Type 1 opt-outs, {Refusers} records with a refusal of consent, at sequence {Sequence}",
            started.ElapsedMilliseconds, from.Value, index.NationalOptOuts, index.Type1OptOuts, index.ConsentRefusers, reached);
        return from;
    }

    /// <summary>Builds the index from the snapshots in one consistent read, ignoring any checkpoint.</summary>
    public async Task BuildFromSnapshotsAsync(CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        index.Clear();
        await using var connection = await database.OpenConnectionAsync(ct);

        // Partial indexes holding just the ids of opted-out and of merged-away records: the build reads them, never a
        // snapshot's JSON (a scan of every document for 'supersededBy' alone took seconds: docs/benchmarks.md). Built
        // concurrently, one statement each, so writes to the snapshots carry on meanwhile (a plain CREATE INDEX blocks
        // them for seconds at that size). Marten's start-up migration drops indexes it was not told of, so a cold build
        // (a new or restored store: otherwise start-up reads the checkpoint) makes them again.
        foreach (var ddl in new[]
                 {
                     $"create index concurrently if not exists patientpreferences_national_ids on {names.Snapshots} (id) where {names.NationalColumn}",
                     $"create index concurrently if not exists patientpreferences_type1_ids on {names.Snapshots} (id) where {names.Type1Column}",
                     $"create index concurrently if not exists patientpreferences_superseded_ids on {names.Snapshots} (id, (data->>'supersededBy')) where data->>'supersededBy' is not null",
                 })
        {
            await using var ensure = new NpgsqlCommand(ddl, connection);
            await ensure.ExecuteNonQueryAsync(ct);
        }

        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var highWater = await committed.HighWaterMarkAsync(connection, ct);
        // Bases (the first nine digits) come over the wire as integers: no string per opt-out to allocate and parse.
        await CopyBasesAsync(connection, $"select left(id, 9)::int from {names.Snapshots} where {names.NationalColumn}", b => index.SetNational(b, true), ct);
        await CopyBasesAsync(connection, $"select left(id, 9)::int from {names.Snapshots} where {names.Type1Column}", b => index.SetType1(b, true), ct);
        await CopyBasesAsync(connection, $"select left(id, 9)::int from {names.Snapshots} where {Refuses}", index.SetRefusing, ct);
        await using (var superseded = new NpgsqlCommand($"select id, data->>'supersededBy' from {names.Snapshots} where data->>'supersededBy' is not null", connection))
        await using (var reader = await superseded.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                index.Supersede(BaseOf(reader.GetString(0)), BaseOf(reader.GetString(1)));
            }
        }

        await transaction.CommitAsync(ct);
        index.Advance(highWater);
        logger.LogInformation("Opt-out index built from the snapshots in {Elapsed} ms: {National} national and {Type1} Type 1 opt-outs, {Refusers} records with a refusal of consent, at sequence {Sequence}",
            started.ElapsedMilliseconds, index.NationalOptOuts, index.Type1OptOuts, index.ConsentRefusers, highWater);
    }

    /// <summary>Applies one page of committed events after the index's sequence; returns how many rows it read.</summary>
    public async Task<int> CatchUpAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        var (rows, reached, _) = await ApplyEventsAsync(connection, index.Sequence, ct);
        if (reached > index.Sequence)
        {
            index.Advance(reached);
        }

        return rows;
    }

    /// <summary>Saves a checkpoint once the index has moved far enough, or long enough ago, that a restart would replay much.</summary>
    private void SaveIfDue(CancellationToken ct)
    {
        var moved = index.Sequence - _saved;
        if (_saving.IsCompleted && (moved >= CheckpointEvery || (moved > 0 && _savedAt.Elapsed >= CheckpointAfter)))
        {
            StartSave(ct);
        }
    }

    /// <summary>
    /// Saves beside the follower, which keeps applying events meanwhile (a save takes long enough that the index would
    /// otherwise stand still: docs/benchmarks.md). The checkpoint is labelled with the sequence read before it is
    /// written out, so its bits may include later events too; replaying the events after the label over them still
    /// gives the right index, since every event sets a bit to a value (or a merge to its snapshot's), whatever it was.
    /// </summary>
    private void StartSave(CancellationToken ct)
    {
        _saved = index.Sequence;
        _savedAt.Restart();
        _saving = Task.Run(() => SaveAsync(ct), CancellationToken.None);
    }

    /// <summary>A checkpoint not saved only makes the next start replay more, so a failure is logged, not thrown.</summary>
    private async Task SaveAsync(CancellationToken ct)
    {
        try
        {
            var started = System.Diagnostics.Stopwatch.StartNew();
            if (await _checkpoint.SaveAsync(index, ct) is { } sequence)
            {
                logger.LogInformation("Opt-out index checkpoint saved at sequence {Sequence} in {Elapsed} ms", sequence, started.ElapsedMilliseconds);
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or OperationCanceledException)
        {
            logger.LogWarning(ex, "Opt-out index checkpoint not saved");
        }
    }

    /// <summary>Applies one page of committed events after <paramref name="after"/>; the caller advances the index.</summary>
    private async Task<(int Rows, long Reached, bool Full)> ApplyEventsAsync(NpgsqlConnection connection, long after, CancellationToken ct)
    {
        var mark = await committed.HighWaterMarkAsync(connection, ct);
        // Every event is read, not just those the index applies: a gap among them is how a transaction in flight shows.
        await using var command = new NpgsqlCommand(
            $"select seq_id, type, stream_id, data->>'supersededBy' from {names.Events} " +
            "where seq_id > @after order by seq_id limit @limit", connection);
        command.Parameters.AddWithValue("after", after);
        command.Parameters.AddWithValue("limit", PageSize);
        var read = new List<(long Sequence, string Type, string Stream, string? SupersededBy)>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                read.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3)));
            }
        }

        var page = CommittedEvents.Take(read, e => e.Sequence, after, mark, PageSize);
        var merged = new List<string>();
        foreach (var (_, type, stream, supersededBy) in page.Events)
        {
            switch (Records.StoredEvents.IndexEffectOf(type))
            {
                case Records.IndexEffect.SetsNationalOptOut: index.SetNational(BaseOf(stream), true); break;
                case Records.IndexEffect.WithdrawsNationalOptOut: index.SetNational(BaseOf(stream), false); break;
                case Records.IndexEffect.SetsType1OptOut: index.SetType1(BaseOf(stream), true); break;
                case Records.IndexEffect.WithdrawsType1OptOut: index.SetType1(BaseOf(stream), false); break;
                case Records.IndexEffect.Supersedes: index.Supersede(BaseOf(stream), BaseOf(supersededBy!)); break;
                case Records.IndexEffect.Merges: merged.Add(stream); break;
                case Records.IndexEffect.RefusesConsent: index.SetRefusing(BaseOf(stream)); break;
            }
        }

        // A merge settles the surviving record's choices by recording time; its snapshot holds the result.
        foreach (var stream in merged)
        {
            await using var snapshot = new NpgsqlCommand($"select {names.NationalColumn}, {names.Type1Column}, {Refuses} from {names.Snapshots} where id = @id", connection);
            snapshot.Parameters.AddWithValue("id", stream);
            await using var reader = await snapshot.ExecuteReaderAsync(ct);
            if (await reader.ReadAsync(ct))
            {
                index.SetNational(BaseOf(stream), !reader.IsDBNull(0) && reader.GetBoolean(0));
                index.SetType1(BaseOf(stream), !reader.IsDBNull(1) && reader.GetBoolean(1));
                if (reader.GetBoolean(2))
                {
                    index.SetRefusing(BaseOf(stream));
                }
            }
        }

        return (read.Count, page.CommittedTo, page.Full);
    }

    private static async Task CopyBasesAsync(NpgsqlConnection connection, string query, Action<int> set, CancellationToken ct)
    {
        await using var reader = await connection.BeginBinaryExportAsync($"COPY ({query}) TO STDOUT (FORMAT BINARY)", ct);
        while (await reader.StartRowAsync(ct) != -1)
        {
            set(await reader.ReadAsync<int>(NpgsqlTypes.NpgsqlDbType.Integer, ct));
        }
    }

    private static int BaseOf(string tenDigits) => NhsNumber.Parse(tenDigits).Base;
}
