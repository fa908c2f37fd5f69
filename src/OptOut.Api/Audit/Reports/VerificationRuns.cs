using Marten;
using Npgsql;

namespace OptOut.Audit.Reports;

/// <summary>One re-verification run in the background: who asked, how far it got, and what it found.</summary>
public sealed class VerificationRun
{
    public string Id { get; set; } = "";

    public string RequestedBy { get; set; } = "";

    /// <summary>running, completed, interrupted (the server running it stopped) or failed (it could not read to the end).</summary>
    public string Status { get; set; } = VerificationRuns.Running;

    public DateTimeOffset StartedAt { get; set; }

    /// <summary>When the run last reported; a running run that has not reported for a while was interrupted.</summary>
    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public long EntriesChecked { get; set; }

    public long RecordsChecked { get; set; }

    /// <summary>PostgreSQL's estimate of the records there are to check, when it has one: for "about how far".</summary>
    public long? RecordsEstimated { get; set; }

    public AuditVerification? Result { get; set; }

    /// <summary>Why a run ended without a result.</summary>
    public string? Problem { get; set; }

    /// <summary>How long without a report means the server running it stopped; runs report every 2 seconds.</summary>
    public static readonly TimeSpan Lapsed = TimeSpan.FromSeconds(30);

    /// <summary>The run as it stands at <paramref name="now"/>: one still marked running that has stopped reporting was interrupted.</summary>
    public VerificationRun AsSeenAt(DateTimeOffset now)
    {
        if (Status == VerificationRuns.Running && now - UpdatedAt > Lapsed)
        {
            Status = "interrupted";
            Problem = "The server running this check stopped before it finished. Nothing was concluded: run it again.";
        }

        return this;
    }
}

/// <summary>
/// Runs the re-verification (<see cref="AuditVerifier"/>) in the background, one at a time per store, and keeps each
/// run as a document that any instance can answer from. At 3.5 million records a run takes about a minute and grows
/// with the store, longer than a request should wait (docs/benchmarks.md). One at a time: the run holds an advisory
/// lock on a connection of its own (<see cref="Hosting.SessionLock"/>), so a second request while one runs joins it
/// instead of doubling the load, and a server that dies mid-run releases the lock with its connection. Its run, no
/// longer reporting, reads as interrupted.
/// </summary>
public sealed class VerificationRuns(
    AuditVerifier verifier, IDocumentStore store, NpgsqlDataSource database, EventStore.EventStoreNames names, TimeProvider clock,
    ILogger<VerificationRuns> log) : IHostedService, IDisposable
{
    public const string Running = "running";
    public const long RunLock = 0x4F70744F75745665;

    /// <summary>How often a run reports how far it has got (<see cref="VerificationRun.Lapsed"/>).</summary>
    private static readonly TimeSpan Beat = TimeSpan.FromSeconds(2);

    private readonly CancellationTokenSource stopping = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Task> runs = new();

    /// <summary>
    /// Starts a run, or answers the one already running. Null when the lock stays held with no run to show for it for
    /// seconds (it is taken just before its run is saved, so only briefly otherwise).
    /// </summary>
    public async Task<VerificationRun?> BeginAsync(string requestedBy, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            if (await TryBeginAsync(requestedBy, ct) is { } run)
            {
                return run;
            }

            if ((await ListAsync(1, ct)).FirstOrDefault(r => r.Status == Running) is { } joined)
            {
                return joined;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), clock, ct);
        }

        return null;
    }

    /// <summary>A new run, if this instance takes the lock.</summary>
    private async Task<VerificationRun?> TryBeginAsync(string requestedBy, CancellationToken ct)
    {
        var connection = await database.OpenConnectionAsync(ct);
        try
        {
            if (!await Hosting.SessionLock.TryTakeAsync(connection, RunLock, ct))
            {
                await connection.DisposeAsync();
                return null;
            }

            var now = clock.GetUtcNow();
            var run = new VerificationRun
            {
                Id = Guid.CreateVersion7().ToString(), RequestedBy = requestedBy, StartedAt = now, UpdatedAt = now, RecordsEstimated = await EstimateAsync(connection, ct),
            };
            await SaveAsync(run);
            runs[run.Id] = Task.Run(() => RunAsync(run, connection), CancellationToken.None);
            return run;
        }
        catch
        {
            await Hosting.SessionLock.ReleaseAsync(connection, RunLock, log);
            await connection.DisposeAsync();
            throw;
        }
    }

    public async Task<VerificationRun?> FindAsync(string id, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return Guid.TryParse(id, out _) && await session.LoadAsync<VerificationRun>(id, ct) is { } run ? run.AsSeenAt(clock.GetUtcNow()) : null;
    }

    /// <summary>The latest runs, newest first (ids are version 7 GUIDs, so they sort by when they began).</summary>
    public async Task<IReadOnlyList<VerificationRun>> ListAsync(int count, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var latest = await session.Query<VerificationRun>().OrderByDescending(r => r.Id).Take(count).ToListAsync(ct);
        return [.. latest.Select(r => r.AsSeenAt(clock.GetUtcNow()))];
    }

    private async Task RunAsync(VerificationRun run, NpgsqlConnection held)
    {
        var progress = new VerificationProgress();
        using var beating = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token);
        var beat = ReportAsync(run, progress, beating.Token);
        try
        {
            run.Result = await verifier.VerifyAsync(progress, stopping.Token);
            run.Status = "completed";
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            run.Status = "interrupted";
            run.Problem = "The server running this check was stopped before it finished. Nothing was concluded: run it again.";
        }
        catch (Exception ex)
        {
            // Tampering is a break in the result, never an exception: this is the database going away mid-run.
            log.LogError(ex, "Re-verification {Run} could not finish", run.Id);
            run.Status = "failed";
            run.Problem = $"The check could not read the store to the end ({ex.GetType().Name}). Nothing was concluded: run it again.";
        }
        finally
        {
            await beating.CancelAsync();
            await beat;
            (run.EntriesChecked, run.RecordsChecked) = (progress.Entries, progress.Records);
            run.UpdatedAt = run.FinishedAt ??= clock.GetUtcNow();
            try
            {
                await SaveAsync(run);
            }
            catch (Exception ex)
            {
                log.LogError(ex, "Re-verification {Run} could not record its end; it will read as interrupted", run.Id);
            }

            // The next request starts a run of its own.
            await Hosting.SessionLock.ReleaseAsync(held, RunLock, log);
            await held.DisposeAsync();
            runs.TryRemove(run.Id, out _);
        }
    }

    private async Task ReportAsync(VerificationRun run, VerificationProgress progress, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(Beat, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                (run.EntriesChecked, run.RecordsChecked, run.UpdatedAt) = (progress.Entries, progress.Records, clock.GetUtcNow());
                try
                {
                    await SaveAsync(run);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The check goes on; a run that cannot report for long reads as interrupted, and says so.
                    log.LogWarning(ex, "Re-verification {Run} could not report its progress", run.Id);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task SaveAsync(VerificationRun run)
    {
        await using var session = store.LightweightSession();
        session.Store(run);
        await session.SaveChangesAsync(CancellationToken.None);
    }

    private async Task<long?> EstimateAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var estimate = new NpgsqlCommand($"select reltuples::bigint from pg_class where oid = to_regclass('{names.Snapshots}')", connection);
        return await estimate.ExecuteScalarAsync(ct) is long tuples and >= 0 ? tuples : null;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Stops a run in progress and records it as interrupted before the server goes.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await stopping.CancelAsync();
        await Task.WhenAll(runs.Values).WaitAsync(cancellationToken);
    }

    public void Dispose() => stopping.Dispose();
}
