using JasperFx.Events;
using Marten;
using MassTransit;
using Microsoft.Extensions.Options;
using Npgsql;
using OptOut.Records;
using OptOut.EventStore;

namespace OptOut.Publishing;

/// <summary>
/// The outbox relay: the event store is the outbox, and this publishes every committed change to RabbitMQ. It reads the
/// committed events (<see cref="CommittedEvents"/>), publishes them, and records as its progress only what the broker
/// has confirmed, everything before it included (<see cref="UnconfirmedChanges"/>), so an outage or a crash delays messages but
/// never loses them. The message id is the event id, so consumers can drop the duplicates a crash between confirm and
/// progress may cause. One instance publishes: the one holding <see cref="LeaderLock"/>, a session-level advisory lock
/// that PostgreSQL releases when that instance's session ends.
/// </summary>
/// <remarks>
/// Not a Marten subscription: the daemon hands a subscription one page per advance of the high-water mark, each with a
/// fixed cost, and under load the pages held a few events each and publishing fell seconds behind. Here a page is
/// everything committed since the last one (up to <see cref="PageSize"/>), so the pages grow with the load.
/// </remarks>
public sealed class ChangePublisher(
    IDocumentStore store, CommittedEvents committed, NpgsqlDataSource database, EventStoreNames names, IBusControl bus, IOptions<PublishingOptions> options,
    Hosting.OptOutMetrics metrics, TimeProvider clock, ILogger<ChangePublisher> logger) : BackgroundService
{
    /// <summary>The publisher's leadership lock, "OptOutPu".</summary>
    public const long LeaderLock = 0x4F70744F75745075;

    /// <summary>The progress row, named as Marten named the subscription this replaced, so a deployment carries on where it was.</summary>
    public const string ProgressName = "ChangePublisher:All";

    private const int PageSize = 1_000;

    /// <summary>How many changes may be sent and not yet confirmed before the publisher stops reading.</summary>
    private const int MaxUnconfirmed = 10_000;
    private readonly PublishingOptions _options = options.Value;
    private readonly RefusedPublishes _refused = new(async ct =>
    {
        // Bounded: a bus that cannot stop or start within this is left to reconnect by itself, and tried again later.
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(TimeSpan.FromSeconds(20));
        await bus.StopAsync(limit.Token);
        await bus.StartAsync(limit.Token);
    }, clock, logger);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var leader = await database.OpenConnectionAsync(stoppingToken);
                if (!await Hosting.SessionLock.TryTakeAsync(leader, LeaderLock, stoppingToken))
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
                    continue;
                }

                logger.LogInformation("This instance publishes the changes");
                try
                {
                    await PublishWhileLeadingAsync(leader, stoppingToken);
                }
                finally
                {
                    await Hosting.SessionLock.ReleaseAsync(leader, LeaderLock, logger);
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // The session (and with it the lock) may be gone, and Marten wraps what Npgsql throws in its own exceptions:
                // whatever failed, start again from the stored progress rather than let the host stop with publishing.
                logger.LogWarning(ex, "The change publisher lost the event store; retrying");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    /// <summary>
    /// Reads on while earlier changes wait for their confirms, so a change waits for one poll, one read and its own
    /// confirm, not for the slowest confirm of the page before it. Progress is written through the lock's own session, so
    /// an instance that lost the lock records nothing.
    /// </summary>
    private async Task PublishWhileLeadingAsync(NpgsqlConnection leader, CancellationToken ct)
    {
        var recorded = await ProgressAsync(leader, ct);
        var readTo = recorded;
        var unconfirmed = new UnconfirmedChanges();
        using var sending = new SemaphoreSlim(_options.MaxInFlightPatients);
        using var abandon = CancellationTokenSource.CreateLinkedTokenSource(ct);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                CommittedPage<IEvent> page;
                await using (var session = store.QuerySession())
                {
                    page = await committed.ReadAsync(session, leader, readTo, PageSize, ct);
                }

                foreach (var e in page.Events)
                {
                    if (ChangeMessages.ToPublished(e) is { } message)
                    {
                        unconfirmed.Send(e.Sequence, e.StreamKey ?? e.StreamId.ToString(), () => SendAsync(e, message, sending, abandon.Token));
                    }
                }

                readTo = Math.Max(readTo, page.CommittedTo);
                var confirmed = unconfirmed.ConfirmedTo(readTo);
                if (confirmed > recorded)
                {
                    await RecordAsync(leader, confirmed, ct);
                    recorded = confirmed;
                }

                if (unconfirmed.Count >= MaxUnconfirmed)
                {
                    // The broker is slow or away: read no further until the oldest change is confirmed.
                    await unconfirmed.OldestAsync().WaitAsync(ct);
                }
                else if (!page.Full)
                {
                    await Task.Delay(_options.PollInterval, ct);
                }
            }
        }
        finally
        {
            await abandon.CancelAsync();
            await unconfirmed.AbandonAsync();
        }
    }

    private async Task SendAsync(IEvent e, object message, SemaphoreSlim sending, CancellationToken ct)
    {
        await sending.WaitAsync(ct);
        try
        {
            await PublishUntilConfirmedAsync(e, message, ct);
        }
        finally
        {
            sending.Release();
        }
    }

    private async Task RecordAsync(NpgsqlConnection leader, long progress, CancellationToken ct)
    {
        await using var record = new NpgsqlCommand(
            $"insert into {names.Progression} (name, last_seq_id, last_updated) values (@name, @seq, now()) " +
            "on conflict (name) do update set last_seq_id = greatest(excluded.last_seq_id, " +
            $"{names.Progression}.last_seq_id), last_updated = now()", leader);
        record.Parameters.AddWithValue("name", ProgressName);
        record.Parameters.AddWithValue("seq", progress);
        await record.ExecuteNonQueryAsync(ct);
    }

    private async Task<long> ProgressAsync(NpgsqlConnection leader, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"select last_seq_id from {names.Progression} where name = @name", leader);
        command.Parameters.AddWithValue("name", ProgressName);
        return await command.ExecuteScalarAsync(ct) is long sequence ? sequence : 0;
    }

    /// <summary>
    /// A broker outage is ridden out here: retry with capped back-off until the broker confirms or the host stops. A retry of a
    /// publish that did reach the broker is a duplicate with the same message id, never a gap.
    /// </summary>
    private async Task PublishUntilConfirmedAsync(IEvent e, object message, CancellationToken cancellationToken)
    {
        var delay = _options.FirstRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ConfirmDeadline.WithinAsync(token => bus.Publish(message, message.GetType(), context =>
                {
                    context.MessageId = e.Id;
                    context.Headers.Set("optout-sequence", e.Sequence);
                    if (e.CorrelationId is { } correlation)
                    {
                        context.Headers.Set("optout-correlation-id", correlation);
                    }
                }, token), _options.ConfirmTimeout, clock, cancellationToken);

                metrics.PublishLag.Record((DateTimeOffset.UtcNow - e.Timestamp).TotalMilliseconds);
                _refused.Confirmed();
                if (attempt > 1)
                {
                    logger.LogInformation("Published change {Sequence} after {Attempts} attempts", e.Sequence, attempt);
                }

                return;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Broker did not confirm change {Sequence} (attempt {Attempt}); retrying in {Delay}", e.Sequence, attempt, delay);
                await _refused.FailedAsync(cancellationToken);

                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));
            }
        }
    }
}
