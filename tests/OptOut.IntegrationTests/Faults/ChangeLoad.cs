using System.Collections.Concurrent;
using System.Net;
using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.Faults;

/// <summary>
/// Opt-out changes sent as fast as the service answers by several writers, each on patients of its own,
/// the way a careful client sends them: a change keeps its Idempotency-Key and is sent again until it
/// gets a 2xx, whatever went wrong in between.
/// </summary>
public sealed class ChangeLoad
{
    private readonly ConcurrentQueue<Change> _changes = new();
    private readonly ConcurrentQueue<string> _failures = new();

    /// <summary>Every change a writer began, acknowledged or not.</summary>
    public IReadOnlyCollection<Change> Changes => _changes;

    public int Acknowledged => _changes.Count(c => c.Version is not null);

    /// <summary>Every answer other than a 2xx, as "status media-type", or the transport error's type.</summary>
    public IReadOnlyCollection<string> Failures => _failures;

    /// <param name="pause">Between one writer's changes: a long fault test paces its load, so what it must check afterwards stays bounded.</param>
    public Task RunAsync(Func<HttpClient> client, int writers, CancellationToken stop, TimeSpan pause = default) =>
        Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(() => WriteAsync(client(), pause, stop), CancellationToken.None)));

    /// <summary>Sends each change that never got its 2xx again, with its own key, and fails unless every one is acknowledged.</summary>
    public async Task CompleteAsync(HttpClient client)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        foreach (var change in _changes.Where(c => c.Version is null))
        {
            await SendUntilAcknowledgedAsync(client, change, patience.Token);
            Assert.True(change.Version is not null, $"A change to {change.NhsNumber} was never acknowledged: {string.Join(", ", _failures.TakeLast(5))}");
        }
    }

    private async Task WriteAsync(HttpClient client, TimeSpan pause, CancellationToken stop)
    {
        var nhs = "";
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            // A few changes per patient, so each one's messages have an order to keep.
            if (n % 4 == 0)
            {
                nhs = TestPatients.NewNhsNumber();
            }

            var change = new Change(nhs, OptedOut: n % 2 == 0, Key: Guid.NewGuid().ToString());
            _changes.Enqueue(change);
            await SendUntilAcknowledgedAsync(client, change, stop);
            if (pause > TimeSpan.Zero && !stop.IsCancellationRequested)
            {
                await Task.Delay(pause, CancellationToken.None);
            }
        }
    }

    private async Task SendUntilAcknowledgedAsync(HttpClient client, Change change, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var response = await client.PutOptOutAsync(change.NhsNumber, new { optedOut = change.OptedOut, channel = "call-centre", patientBirthDate = TestPatients.AdultBorn }, idempotencyKey: change.Key);
                if (response.IsSuccessStatusCode)
                {
                    change.Version = long.Parse(response.Headers.ETag!.Tag.Trim('"'), System.Globalization.CultureInfo.InvariantCulture);
                    return;
                }

                _failures.Enqueue($"{(int)response.StatusCode} {response.Content.Headers.ContentType?.MediaType}");
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                _failures.Enqueue(ex.GetType().Name);
            }

            await Task.Delay(100, CancellationToken.None);
        }
    }

    public sealed record Change(string NhsNumber, bool OptedOut, string Key)
    {
        /// <summary>The stream version the 2xx answer named (its ETag); null until acknowledged.</summary>
        public long? Version { get; set; }
    }
}
