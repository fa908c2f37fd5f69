namespace OptOut.Publishing;

/// <summary>
/// Bounds a broker publish in time whether or not the broker client honours cancellation. MassTransit hands RabbitMQ.Client
/// its channel's token, not the caller's, and RabbitMQ.Client 7.2 can leave a publisher confirm pending for ever when the
/// broker goes away mid-publish (rabbitmq/rabbitmq-dotnet-client#1930). A publish awaited directly then never returns and
/// whatever awaits it stops: seen here when RabbitMQ was stopped under load, the change publisher retried two changes and
/// went quiet, leaving 532 unpublished. Abandoning the attempt at the deadline lets the caller retry on a new channel.
/// </summary>
public static class ConfirmDeadline
{
    /// <exception cref="TimeoutException">The broker did not confirm within <paramref name="deadline"/>.</exception>
    public static async Task WithinAsync(Func<CancellationToken, Task> publish, TimeSpan deadline, TimeProvider clock, CancellationToken ct)
    {
        using var expiry = new CancellationTokenSource(deadline, clock);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct, expiry.Token);
        var publishing = publish(attempt.Token);
        try
        {
            await publishing.WaitAsync(deadline, clock, ct);
        }
        catch (TimeoutException)
        {
            // Abandoned, not ended: observe whatever it ends with, so a late failure is not an unobserved task exception.
            _ = publishing.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            throw new TimeoutException($"The broker did not confirm within {deadline.TotalSeconds:0.#} s");
        }
    }
}
