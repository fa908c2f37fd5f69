using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using MassTransit;
using Microsoft.Extensions.Options;

namespace OptOut.Publishing;

/// <summary>
/// The outbox relay: the event store is the outbox, and this subscription, run by Marten's async daemon,
/// publishes every committed change to RabbitMQ. Marten records the subscription's progress only after
/// this method returns, and it returns only after the broker has confirmed every message of the page,
/// so an outage or a crash delays messages but never loses them. The message id is the event id, so
/// consumers can drop the duplicates a crash between confirm and checkpoint may cause.
/// </summary>
public sealed class ChangePublisher : SubscriptionBase
{
    private readonly IBus _bus;
    private readonly PublishingOptions _options;
    private readonly ILogger<ChangePublisher> _logger;

    private readonly Hosting.OptOutMetrics _metrics;

    public ChangePublisher(IBus bus, IOptions<PublishingOptions> options, Hosting.OptOutMetrics metrics, ILogger<ChangePublisher> logger)
    {
        _metrics = metrics;
        _bus = bus;
        _options = options.Value;
        _logger = logger;
        Name = "ChangePublisher";
        Options.BatchSize = 500;
    }

    public override async Task<IChangeListener> ProcessEventsAsync(
        EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken cancellationToken)
    {
        // Each patient's changes go out one at a time, in order, each confirmed before the next; different
        // patients' changes go out side by side, so a busy page is not paced by one broker round trip per message.
        var perPatient = page.Events
            .Where(e => e.Data is not NationalDataOptOut.NationalDataOptOutSet { Channel: Decisions.Channel.Migrated })
            .Select(e => (Event: e, Message: ChangeMessages.ToMessage(e)))
            .Where(x => x.Message is not null)
            .GroupBy(x => x.Event.StreamKey);
        await Parallel.ForEachAsync(perPatient, new ParallelOptions { MaxDegreeOfParallelism = _options.MaxInFlightPatients, CancellationToken = cancellationToken },
            async (changes, ct) =>
            {
                foreach (var (e, message) in changes)
                {
                    await PublishUntilConfirmedAsync(e, message!, ct);
                }
            });

        // Only now, with every message of the page confirmed, does Marten record the page as done.
        return NullChangeListener.Instance;
    }

    /// <summary>
    /// An exception escaping the subscription would pause it until someone restarts the daemon, so a broker
    /// outage is ridden out here: retry with capped back-off until the broker confirms or the host stops.
    /// </summary>
    private async Task PublishUntilConfirmedAsync(IEvent e, object message, CancellationToken cancellationToken)
    {
        var delay = _options.FirstRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            using var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attemptTimeout.CancelAfter(_options.ConfirmTimeout);
            try
            {
                await _bus.Publish(message, message.GetType(), context =>
                {
                    context.MessageId = e.Id;
                    context.Headers.Set("optout-sequence", e.Sequence);
                    if (e.CorrelationId is { } correlation)
                    {
                        context.Headers.Set("optout-correlation-id", correlation);
                    }
                }, attemptTimeout.Token);

                _metrics.PublishLag.Record((DateTimeOffset.UtcNow - e.Timestamp).TotalMilliseconds);
                if (attempt > 1)
                {
                    _logger.LogInformation("Published change {Sequence} after {Attempts} attempts", e.Sequence, attempt);
                }

                return;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                _logger.LogWarning(ex, "Broker did not confirm change {Sequence} (attempt {Attempt}); retrying in {Delay}", e.Sequence, attempt, delay);
                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));
            }
        }
    }
}
