using Microsoft.Extensions.Options;
using Npgsql;
using OptOut.Contracts.Audit;

namespace OptOut.Audit.Transparency;

/// <summary>
/// The one sequencer per database: whichever instance holds <see cref="LeaderLock"/> integrates the chained entries into
/// the tree and signs a C2SP checkpoint whenever the trail has grown, every
/// <see cref="TransparencyLogOptions.CheckpointInterval"/>. Not in any request's path: an answer waits for its entry to
/// be committed, never for the tree. It keeps the tree's right edge in memory and checks every entry before it takes it
/// (its number follows on, it links to the entry before, its hash is its content's), so it never signs a trail a
/// superuser has rewritten; on taking the lead, and whenever the stored checkpoints are not the ones it signed (a
/// restore, another leader), it rebuilds the edge from the store and signs nothing unless that edge gives the latest
/// signed root. A leader that dies takes its lock with its session; the next carries on from the stored checkpoint, and
/// a node is the same whoever computes it, so nothing is lost or doubled. Each checkpoint also commits to the latest
/// patient map finished over a prefix of the same entries, which a <see cref="PatientMapBuilder"/> merges and stores on a
/// connection of its own, so a slow merge delays the map, never a checkpoint.
/// </summary>
public sealed class LogSequencer(
    NpgsqlDataSource database, AuditSchema schema, LogTree tree, PatientMapStore map, LogKey key, IOptions<TransparencyLogOptions> options,
    TimeProvider clock, LogProgress progress, ILogger<LogSequencer> logger) : BackgroundService
{
    /// <summary>The sequencer's leadership lock, "OptOutLg".</summary>
    public const long LeaderLock = 0x4F70744F75744C67;

    private const int Batch = 10_000;

    private LogFrontier? _frontier;
    private byte[] _root = LogProofs.EmptyRoot;
    private string _lastHash = AuditChain.Genesis;
    private MapCommitment? _signedMap;

    /// <summary>
    /// Whether a checkpoint has signed <see cref="_signedMap"/> yet. The builder's next stop is taken only once it has,
    /// so every stop of a long catch-up is kept in a checkpoint: taken earlier, a round with no new entry to sign let
    /// the next stop replace it unsigned, and a leader stopping then left the next one to merge it again.
    /// </summary>
    private bool _signedMapInCheckpoint = true;
    private PatientMapBuilder? _builder;
    private (Task<MapCommitment> Task, PatientMapBuilder Builder)? _mapping;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var leader = await database.OpenConnectionAsync(stoppingToken);
                if (!await Hosting.SessionLock.TryTakeAsync(leader, LeaderLock, stoppingToken))
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), clock, stoppingToken);
                    continue;
                }

                logger.LogInformation("This instance sequences the audit log");
                _frontier = null;
                try
                {
                    while (!stoppingToken.IsCancellationRequested)
                    {
                        while (await IntegrateAsync(leader, stoppingToken) == Batch)
                        {
                        }

                        PumpMap(stoppingToken);

                        await Task.Delay(options.Value.CheckpointInterval, clock, stoppingToken);
                    }
                }
                finally
                {
                    progress.NotLeading();
                    await Hosting.SessionLock.ReleaseAsync(leader, LeaderLock, logger);
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested && ex is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                logger.LogWarning(ex, "The audit log's sequencer lost its connection; it tries again");
                await Task.Delay(TimeSpan.FromSeconds(1), clock, stoppingToken);
            }
        }
    }

    /// <summary>Integrates the next checked entries and signs a checkpoint over them; returns how many it took.</summary>
    public async Task<int> IntegrateAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        if (!await InStepAsync(connection, ct))
        {
            return 0;
        }

        var frontier = _frontier!;
        var previous = frontier.Size;
        var started = clock.GetTimestamp();
        var nodes = new List<(int Level, long Index, byte[] Hash)>();
        var taken = 0;
        var lastHash = _lastHash;
        await using (var read = new NpgsqlCommand($"select {AuditRows.Columns} from {schema.Table} where seq > @after order by seq limit {Batch}", connection))
        {
            read.Parameters.AddWithValue("after", frontier.Size);
            await using var reader = await read.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var entry = AuditRows.Read(reader);
                if (AuditVerifier.Check(entry, frontier.Size + 1, lastHash) is { } wrong)
                {
                    logger.LogCritical("The audit log's sequencer stopped before entry {Sequence}: {Problem}. Nothing after it is signed until it is put right.", entry.Sequence, wrong.Problem);
                    break;
                }

                frontier.Append(LogTree.LeafOf(entry.Hash), (level, index, hash) =>
                {
                    if (level % LogTree.Stride == 0)
                    {
                        nodes.Add((level, index, hash));
                    }
                });
                lastHash = entry.Hash;
                taken++;
            }
        }

        if (taken == 0)
        {
            return 0;
        }

        var root = frontier.Root();
        // Written only if the latest checkpoint is still the one this edge grew from and the last entry taken is still
        // there as it was read: a store restored meanwhile (or another leader) gets nothing from an edge that no
        // longer matches it.
        var unchanged = $"where coalesce((select max(size) from {tree.Checkpoints}), 0) = @previous " +
                        $"and exists (select 1 from {schema.Table} where seq = @size and hash = @last)" +
                        // and the map it signs is still stored (a store restored since may have lost one finished meanwhile).
                        (SignsStoredMap ? $" and {map.RootStored("map", "map_versions")}" : "");
        await using var batch = new NpgsqlBatch(connection);
        foreach (var (level, index, hash) in nodes)
        {
            var node = new NpgsqlBatchCommand($"insert into {tree.Nodes} (level, index, hash) select @level, @index, @hash {unchanged} on conflict do nothing");
            node.Parameters.AddWithValue("level", (short)level);
            node.Parameters.AddWithValue("index", index);
            node.Parameters.AddWithValue("hash", hash);
            batch.BatchCommands.Add(Unchanged(node));
        }

        var checkpoint = Unchanged(new NpgsqlBatchCommand($"insert into {tree.Checkpoints} (size, root, note, signed_at) select @size, @root, @note, @at {unchanged}"));
        checkpoint.Parameters.AddWithValue("root", root);
        checkpoint.Parameters.AddWithValue("note", key.Sign(new LogCheckpoint(key.Origin, frontier.Size, root, _signedMap)));
        checkpoint.Parameters.AddWithValue("at", clock.GetUtcNow());
        batch.BatchCommands.Add(checkpoint);
        try
        {
            await batch.ExecuteNonQueryAsync(ct); // one implicit transaction: the nodes and the checkpoint that needs them
        }
        catch
        {
            _frontier = null; // the edge ran ahead of the store: rebuild it
            throw;
        }

        if (checkpoint.RecordsAffected != 1)
        {
            _frontier = null;
            return 0;
        }

        (_root, _lastHash, _signedMapInCheckpoint) = (root, lastHash, true);
        progress.Signed(frontier.Size, _signedMap?.Size ?? 0);
        logger.LogDebug("Signed {Size} ({Taken} entries) in {Elapsed} ms, with the patient map of {MapSize}",
            frontier.Size, taken, (int)clock.GetElapsedTime(started).TotalMilliseconds, _signedMap?.Size);
        return taken;

        NpgsqlBatchCommand Unchanged(NpgsqlBatchCommand command)
        {
            if (SignsStoredMap)
            {
                command.Parameters.AddWithValue("map", _signedMap!.Root);
                command.Parameters.AddWithValue("map_versions", PatientMapStore.RootVersions(_signedMap.Size));
            }

            command.Parameters.AddWithValue("previous", previous);
            command.Parameters.AddWithValue("size", frontier.Size);
            command.Parameters.AddWithValue("last", lastHash);
            return command;
        }
    }

    /// <summary>Whether the edge in memory is the store's latest signed checkpoint; rebuilt from the store when it is not.</summary>
    private async Task<bool> InStepAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var latest = new NpgsqlCommand($"select size, root, note from {tree.Checkpoints} order by size desc limit 1", connection);
        long size = 0;
        var root = LogProofs.EmptyRoot;
        string? note = null;
        await using (var reader = await latest.ExecuteReaderAsync(ct))
        {
            if (await reader.ReadAsync(ct))
            {
                (size, root, note) = (reader.GetInt64(0), (byte[])reader[1], reader.GetString(2));
            }
        }

        if (_frontier is not null && _frontier.Size == size && _root.AsSpan().SequenceEqual(root))
        {
            return true;
        }

        if (_frontier is not null && size < _frontier.Size)
        {
            logger.LogCritical("The audit log's latest checkpoint went back from size {Signed} to {Stored}: checkpoints were deleted or restored from a backup", _frontier.Size, size);
        }

        try
        {
            var frontier = await tree.Read(connection).FrontierAsync(size, ct);
            if (!frontier.Root().AsSpan().SequenceEqual(root))
            {
                logger.LogCritical("The audit trail no longer matches its signed checkpoint of size {Size}: nothing more is signed until it is put right", size);
                _frontier = null;
                return false;
            }

            await using var last = new NpgsqlCommand($"select hash from {schema.Table} where seq = @size", connection);
            last.Parameters.AddWithValue("size", size);
            var lastHash = size == 0 ? AuditChain.Genesis : await last.ExecuteScalarAsync(ct) as string ?? throw new MissingLogHashException(0, size - 1);
            // The map goes on from the one the latest checkpoint signed (none: from nothing, over every entry so far),
            // with a builder of its own, so nothing remembered from before (a store since restored) stands in for the store.
            LogCheckpoint? signed = null;
            if (note is not null && (SignedNote.Verify(note, key.Origin, key.PublicKey) is not { } text || (signed = LogCheckpoint.Parse(text)) is null))
            {
                logger.LogCritical("The audit log's latest checkpoint (size {Size}) is not signed by this log's key: nothing more is signed until it is put right", size);
                _frontier = null;
                return false;
            }

            (_frontier, _root, _lastHash, _signedMap, _signedMapInCheckpoint) = (frontier, root, lastHash, signed?.Map, true);
            _builder = new PatientMapBuilder(map, schema, tree, signed?.Map ?? new MapCommitment(0, PatientMap.EmptyRoot), options.Value.MapCacheNodes, options.Value.MapStepEntries, logger);
            if (signed?.Map is null && size > 0)
            {
                logger.LogInformation("Building the patient map over the {Size} entries signed before it existed", size);
            }

            return true;
        }
        catch (MissingLogHashException ex)
        {
            logger.LogCritical(ex, "The audit trail lacks entries its signed checkpoint of size {Size} covers: nothing more is signed until it is put right", size);
            _frontier = null;
            return false;
        }
    }

    private bool SignsStoredMap => _signedMap is not null && !_signedMap.Root.AsSpan().SequenceEqual(PatientMap.EmptyRoot);

    /// <summary>
    /// Takes the map the builder finished (if it is still this term's, and once a checkpoint has signed the one taken
    /// before), for the next checkpoint to sign, and sets it going again up to what is now signed. It runs on its own
    /// connection, so a slow merge delays the map, never a checkpoint.
    /// </summary>
    private void PumpMap(CancellationToken ct)
    {
        if (_mapping is { Task.IsCompleted: true } done
            && (_signedMapInCheckpoint || !done.Task.IsCompletedSuccessfully || !ReferenceEquals(done.Builder, _builder)))
        {
            _mapping = null;
            if (!done.Task.IsCompletedSuccessfully)
            {
                logger.Log(done.Task.Exception?.InnerException is MissingMapNodeException ? LogLevel.Critical : LogLevel.Warning, done.Task.Exception,
                    "The patient map could not be brought up to date; it is tried again from the last one signed");
                _frontier = null; // read the store again, and go on from the map its latest checkpoint signs
                _builder = null;
            }
            else if (ReferenceEquals(done.Builder, _builder))
            {
                (_signedMap, _signedMapInCheckpoint) = (done.Task.Result, false);
            }
        }

        if (_mapping is null && _builder is { } builder && _frontier is { } frontier && frontier.Size > builder.Current.Size)
        {
            var target = frontier.Size;
            _mapping = (Task.Run(async () =>
            {
                await using var connection = await database.OpenConnectionAsync(ct);
                return await builder.CatchUpAsync(connection, target, ct);
            }, ct), builder);
        }
    }
}
