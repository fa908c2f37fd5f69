using Microsoft.Extensions.Time.Testing;
using OptOut.Publishing;

namespace OptOut.UnitTests.Publishing;

/// <summary>The change publisher's guard against a broker client that never completes a publish (ConfirmDeadline).</summary>
public class ConfirmDeadlineTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    /// <summary>Only a guard against a hung test run: the assertions use the fake clock.</summary>
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_publish_that_never_completes_and_ignores_cancellation_is_abandoned_at_the_deadline()
    {
        var clock = new FakeTimeProvider();
        var neverConfirmed = new TaskCompletionSource();

        var waiting = ConfirmDeadline.WithinAsync(_ => neverConfirmed.Task, Deadline, clock, CancellationToken.None);
        clock.Advance(Deadline - TimeSpan.FromMilliseconds(1));
        Assert.False(waiting.IsCompleted);

        clock.Advance(TimeSpan.FromMilliseconds(1));
        var error = await Assert.ThrowsAsync<TimeoutException>(() => waiting.WaitAsync(Hang));
        Assert.Contains("did not confirm within 10 s", error.Message);
    }

    [Fact]
    public async Task The_publish_is_told_to_give_up_at_the_deadline()
    {
        var clock = new FakeTimeProvider();
        CancellationToken seen = default;

        var waiting = ConfirmDeadline.WithinAsync(token => { seen = token; return Task.Delay(Timeout.Infinite, token); }, Deadline, clock, CancellationToken.None);
        Assert.False(seen.IsCancellationRequested);
        clock.Advance(Deadline);

        Assert.True(seen.IsCancellationRequested);
        await Assert.ThrowsAnyAsync<Exception>(() => waiting.WaitAsync(Hang));
    }

    [Fact]
    public async Task A_confirmed_publish_returns_without_waiting_for_the_deadline()
    {
        var clock = new FakeTimeProvider();
        var confirmed = new TaskCompletionSource();

        var waiting = ConfirmDeadline.WithinAsync(_ => confirmed.Task, Deadline, clock, CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        confirmed.SetResult();

        await waiting.WaitAsync(Hang);
    }

    [Fact]
    public async Task Stopping_the_host_ends_the_wait_before_the_deadline()
    {
        var clock = new FakeTimeProvider();
        using var stopping = new CancellationTokenSource();

        var waiting = ConfirmDeadline.WithinAsync(_ => new TaskCompletionSource().Task, Deadline, clock, stopping.Token);
        await stopping.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Hang));
    }
}
