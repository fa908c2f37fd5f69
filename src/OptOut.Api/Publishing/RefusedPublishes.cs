namespace OptOut.Publishing;

/// <summary>
/// Restarts the bus when no publish has been confirmed for <see cref="Patience"/> while publishes kept failing. Seen in
/// the cluster fault suite with RabbitMQ 3.10 (about one run in six): the node leading the consumers' quorum queue was
/// killed, MassTransit reconnected to another node 0.3 s before the queue had its new leader, and on that connection the
/// broker then refused (nacked) every publish for the 90 s the test waited, while the queue itself had a leader again.
/// MassTransit keeps its channel after a nack and retries inside the publish, so our retries never end it (each attempt
/// ends at the confirm deadline, not with the nack); a restarted bus opens new connections and channels. A broker that
/// is simply down gains nothing from a restart, and loses nothing either: MassTransit reconnects as it would have.
/// </summary>
public sealed class RefusedPublishes(Func<CancellationToken, Task> restartBus, TimeProvider clock, ILogger logger)
{
    /// <summary>Several confirm deadlines: far longer than a quorum queue takes to elect a leader or a node to return.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private long _failingSince;
    private int _restarting;

    public void Confirmed() => Interlocked.Exchange(ref _failingSince, 0);

    /// <returns>Whether this call restarted the bus.</returns>
    public async Task<bool> FailedAsync(CancellationToken ct)
    {
        var now = clock.GetTimestamp();
        var since = Interlocked.CompareExchange(ref _failingSince, now, 0);
        // One restart at a time: the other publishers that fail meanwhile go on retrying.
        if (since == 0 || clock.GetElapsedTime(since, now) < Patience || Interlocked.Exchange(ref _restarting, 1) == 1)
        {
            return false;
        }

        try
        {
            logger.LogWarning("No publish confirmed for {Seconds:0} s; restarting the bus for new connections and channels", clock.GetElapsedTime(since, now).TotalSeconds);
            await restartBus(ct);
            return true;
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning(ex, "The bus could not be restarted; publishes go on being retried");
            return false;
        }
        finally
        {
            // Either way the next restart waits another Patience of failures.
            Interlocked.Exchange(ref _failingSince, 0);
            Volatile.Write(ref _restarting, 0);
        }
    }
}
