using OptOut.Publishing;

namespace OptOut.UnitTests.Publishing;

/// <summary>The publisher's changes in flight: each patient's in order, progress never past an unconfirmed change.</summary>
public class UnconfirmedChangesTests
{
    /// <summary>A publish the test confirms by hand, recording when it was sent.</summary>
    private sealed class Broker
    {
        public List<long> Sent { get; } = [];
        public Dictionary<long, TaskCompletionSource> Confirms { get; } = [];

        public Func<Task> Publish(long sequence) => () =>
        {
            Sent.Add(sequence);
            var confirm = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Confirms[sequence] = confirm;
            return confirm.Task;
        };
    }

    [Fact]
    public async Task A_patients_next_change_is_sent_only_once_the_one_before_is_confirmed_and_others_do_not_wait()
    {
        var broker = new Broker();
        var changes = new UnconfirmedChanges();

        changes.Send(11, "9000000009", broker.Publish(11));
        changes.Send(12, "9000000017", broker.Publish(12));
        changes.Send(13, "9000000009", broker.Publish(13));

        Assert.Equal([11, 12], broker.Sent);

        broker.Confirms[11].SetResult();
        await WaitUntilAsync(() => broker.Sent.Contains(13));
        Assert.Equal([11, 12, 13], broker.Sent);
    }

    [Fact]
    public void Progress_stops_below_the_oldest_unconfirmed_change_and_reaches_what_was_read_once_all_are_confirmed()
    {
        var broker = new Broker();
        var changes = new UnconfirmedChanges();
        changes.Send(21, "9000000009", broker.Publish(21));
        changes.Send(23, "9000000017", broker.Publish(23));
        changes.Send(25, "9000000025", broker.Publish(25));

        Assert.Equal(20, changes.ConfirmedTo(readTo: 26));

        // A later change confirmed first moves nothing: a crash now must send 21 again.
        broker.Confirms[23].SetResult();
        Assert.Equal(20, changes.ConfirmedTo(readTo: 26));

        broker.Confirms[21].SetResult();
        Assert.Equal(24, changes.ConfirmedTo(readTo: 26));

        broker.Confirms[25].SetResult();
        Assert.Equal(26, changes.ConfirmedTo(readTo: 26));
        Assert.Equal(0, changes.Count);
        Assert.Equal(30, changes.ConfirmedTo(readTo: 30));
    }

    [Fact]
    public async Task Abandoned_publishes_leave_progress_where_it_was_for_the_next_leader()
    {
        var changes = new UnconfirmedChanges();
        using var abandon = new CancellationTokenSource();
        changes.Send(31, "9000000009", () => Task.Delay(Timeout.Infinite, abandon.Token));
        changes.Send(32, "9000000009", () => Task.CompletedTask);

        await abandon.CancelAsync();
        Assert.Equal(30, changes.ConfirmedTo(readTo: 32));
        await changes.AbandonAsync();
        Assert.Equal(0, changes.Count);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 400 && !condition(); i++)
        {
            await Task.Delay(5);
        }
    }
}
