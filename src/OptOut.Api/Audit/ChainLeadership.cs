using Npgsql;

namespace OptOut.Audit;

/// <summary>
/// Which instance writes the chain. The one holding <see cref="LeaderLock"/> chains its own entries as they come and,
/// every <see cref="PollInterval"/>, whatever the others left in <see cref="AuditSchema.Pending"/>; every other
/// instance commits its entries there and answers at once. So no request waits for another instance's lock: the
/// chain lock each chaining still takes is only ever wanted by the leader, except for the moment of a handover, and
/// the leader waits for it a quarter of a second at most before it too puts its entries in the pending table.
/// </summary>
/// <remarks>
/// Leading is a routing hint, not what keeps the chain whole: the chain lock and the sequence key do that, so an
/// instance that leads without knowing it, or believes it leads a moment after its session died, still writes a chain
/// with no fork and no gap. A leader that hangs with its session open holds the pending entries back (stored, not lost)
/// until it resumes or its session ends, as a hung sequencer holds back checkpoints.
/// </remarks>
public sealed class ChainLeadership(NpgsqlDataSource database, AuditSchema schema, TimeProvider clock, ILogger<ChainLeadership> logger)
{
    /// <summary>The chain's leadership lock, "OptOutCh".</summary>
    public const long LeaderLock = 0x4F70744F75744368;

    /// <summary>How often the leader looks for other instances' entries: a small part of the checkpoint's one second.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    private NpgsqlConnection? _session;
    private volatile bool _leading;

    public bool Leading => _leading;

    /// <summary>One try, before the server takes requests, so a lone instance chains its first entries directly.</summary>
    public async Task TryLeadAsync(CancellationToken ct)
    {
        var session = await database.OpenConnectionAsync(ct);
        try
        {
            if (await Hosting.SessionLock.TryTakeAsync(session, LeaderLock, ct))
            {
                (_session, session, _leading) = (session, null, true);
                logger.LogInformation("This instance writes the audit chain");
            }
        }
        finally
        {
            if (session is not null)
            {
                await session.DisposeAsync();
            }
        }
    }

    /// <summary>Leads whenever it can, and while leading calls <paramref name="othersPending"/> when entries wait in the pending table.</summary>
    public async Task RunAsync(Action othersPending, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (_session is null)
                {
                    await TryLeadAsync(ct);
                }

                if (_session is { } session)
                {
                    await PollAsync(session, othersPending, ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                logger.LogWarning(ex, "The audit chain's leadership session failed; entries go to the pending table until it is taken again");
            }
            finally
            {
                await LetGoAsync();
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), clock, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task PollAsync(NpgsqlConnection session, Action othersPending, CancellationToken ct)
    {
        await using var poll = new NpgsqlCommand($"select exists (select 1 from {schema.Pending})", session);
        while (true)
        {
            if ((bool)(await poll.ExecuteScalarAsync(ct))!)
            {
                othersPending();
            }

            await Task.Delay(PollInterval, clock, ct);
        }
    }

    private async Task LetGoAsync()
    {
        _leading = false;
        if (_session is { } session)
        {
            _session = null;
            await Hosting.SessionLock.ReleaseAsync(session, LeaderLock, logger);
            await session.DisposeAsync();
        }
    }
}
