using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using OptOut.Publishing;

namespace OptOut.UnitTests.Publishing;

/// <summary>The change publisher's way out of a connection the broker refuses every publish on (RefusedPublishes).</summary>
public class RefusedPublishesTests
{
    [Fact]
    public async Task Only_failures_for_the_whole_patience_restart_the_bus_once_and_a_confirm_starts_the_wait_again()
    {
        var clock = new FakeTimeProvider();
        var restarts = 0;
        var publishes = new RefusedPublishes(_ => { restarts++; return Task.CompletedTask; }, clock, NullLogger.Instance);

        Assert.False(await publishes.FailedAsync(CancellationToken.None));
        clock.Advance(RefusedPublishes.Patience - TimeSpan.FromSeconds(1));
        Assert.False(await publishes.FailedAsync(CancellationToken.None));

        // A publish confirmed meanwhile: the connection works, so the wait starts again from the next failure.
        publishes.Confirmed();
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.False(await publishes.FailedAsync(CancellationToken.None));
        clock.Advance(RefusedPublishes.Patience - TimeSpan.FromSeconds(1));
        Assert.False(await publishes.FailedAsync(CancellationToken.None));
        Assert.Equal(0, restarts);

        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await publishes.FailedAsync(CancellationToken.None));
        Assert.Equal(1, restarts);

        // Failing again right after the restart: a new wait, not another restart at once.
        Assert.False(await publishes.FailedAsync(CancellationToken.None));
        Assert.Equal(1, restarts);
    }

    [Fact]
    public async Task A_restart_that_fails_is_tried_again_after_another_patience_and_publishing_goes_on()
    {
        var clock = new FakeTimeProvider();
        var attempts = 0;
        var publishes = new RefusedPublishes(_ => { attempts++; throw new InvalidOperationException("broker gone"); }, clock, NullLogger.Instance);

        await publishes.FailedAsync(CancellationToken.None);
        clock.Advance(RefusedPublishes.Patience);
        Assert.False(await publishes.FailedAsync(CancellationToken.None));
        Assert.False(await publishes.FailedAsync(CancellationToken.None));
        clock.Advance(RefusedPublishes.Patience);
        Assert.False(await publishes.FailedAsync(CancellationToken.None));
        Assert.Equal(2, attempts);
    }
}
