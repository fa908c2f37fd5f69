using System.Threading.Channels;
using Marten;
using Marten.Events.Daemon.HighWater;
using Marten.Services;
using Npgsql;

namespace OptOut.EventStore;

/// <summary>
/// Wakes every instance's projection daemon (and with it the publisher and the other instances' indexes) after a commit
/// that appended events, with a NOTIFY on the channel Marten's daemon listens on, sent after the commit from a connection
/// of its own. Marten's own option sends the NOTIFY inside each appending transaction, and PostgreSQL then holds a
/// database-wide lock from that NOTIFY through the commit, so every change committed one after another. Here commits that
/// arrive while a NOTIFY is on its way share the next one, so a burst of changes costs a few NOTIFYs, never a lock held
/// across a change's commit (the figures, at 16 writers: docs/benchmarks.md).
/// </summary>
public sealed class AppendNotifier(NpgsqlDataSource database, ILogger<AppendNotifier> logger) : BackgroundService
{
    // One pending wake-up is enough: it is sent after every commit that asked for it.
    private readonly Channel<bool> _appended = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>The session listener that asks for a wake-up after each commit that appended events.</summary>
    public IDocumentSessionListener Listener => new AfterAppending(_appended.Writer);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var _ in _appended.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await using var notify = database.CreateCommand($"select pg_notify('{PostgresqlListenWakeup.DefaultChannel}', '')");
                await notify.ExecuteNonQueryAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                // The daemons poll as well (every 50 ms while busy), so a lost wake-up only delays; wait out the outage.
                logger.LogWarning(ex, "Could not wake the projection daemons after an append; they will find it by polling");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    private sealed class AfterAppending(ChannelWriter<bool> appended) : DocumentSessionListenerBase
    {
        public override Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
        {
            if (commit.GetStreams().Any())
            {
                appended.TryWrite(true);
            }

            return Task.CompletedTask;
        }
    }
}
