using JasperFx.Events;
using OptOut.EventStore;

namespace OptOut.UnitTests.EventStore;

/// <summary>Readers of the log (publisher, index, feed) take only events known to be committed: nothing after a gap above the daemon's mark.</summary>
public class CommittedPageTests
{
    [Fact]
    public void Events_that_follow_on_without_a_gap_go_out_before_the_mark_reaches_them()
    {
        var (events, committedTo) = Committed(Page(11, 12, 13), after: 10, highWaterMark: 10);

        Assert.Equal([11L, 12L, 13L], events.Select(e => e.Sequence));
        Assert.Equal(13, committedTo);
    }

    [Fact]
    public void Nothing_after_a_gap_above_the_mark_goes_out_as_that_transaction_may_still_commit()
    {
        var (events, committedTo) = Committed(Page(11, 12, 14, 15), after: 10, highWaterMark: 10);

        Assert.Equal([11L, 12L], events.Select(e => e.Sequence));
        Assert.Equal(12, committedTo);
    }

    [Fact]
    public void Gaps_below_the_mark_are_passed_as_the_daemon_has_settled_them()
    {
        var (events, committedTo) = Committed(Page(11, 14, 16, 17, 19), after: 10, highWaterMark: 16);

        Assert.Equal([11L, 14L, 16L, 17L], events.Select(e => e.Sequence));
        Assert.Equal(17, committedTo);
    }

    [Fact]
    public void An_empty_page_moves_progress_up_to_the_mark_and_never_back()
    {
        Assert.Equal(20, Committed(Page(), after: 10, highWaterMark: 20).CommittedTo);
        Assert.Equal(30, Committed(Page(), after: 30, highWaterMark: 20).CommittedTo);
    }

    [Fact]
    public void A_full_page_stops_at_its_last_event_even_below_the_mark()
    {
        var full = Page([.. Enumerable.Range(1, 1_000).Select(i => (long)i)]);

        var (events, committedTo) = Committed(full, after: 0, highWaterMark: 5_000);

        Assert.Equal(1_000, events.Count);
        Assert.Equal(1_000, committedTo);
    }

    private static (IReadOnlyList<IEvent> Events, long CommittedTo) Committed(List<IEvent> page, long after, long highWaterMark)
    {
        var taken = CommittedEvents.Take(page, e => e.Sequence, after, highWaterMark, limit: 1_000);
        return (taken.Events, taken.CommittedTo);
    }

    private static List<IEvent> Page(params long[] sequences) =>
        [.. sequences.Select(s => (IEvent)new Event<string>("change") { Sequence = s })];
}
