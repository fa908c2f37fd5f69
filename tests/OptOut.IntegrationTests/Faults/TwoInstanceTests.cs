using OptOut.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace OptOut.IntegrationTests.Faults;

public class TwoInstanceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Two_instances_on_one_database_publish_each_event_once_answer_alike_and_hand_over_when_the_leader_dies()
    {
        await using var scenario = await FaultScenario.CreateAsync();
        var first = await scenario.StartServiceAsync("optout-a");
        var second = await scenario.StartServiceAsync("optout-b");

        // Writers spread over both instances, as a load balancer would send them.
        var load = new ChangeLoad();
        var next = 0;
        using (var stop = new CancellationTokenSource())
        {
            var writing = load.RunAsync(() => (Interlocked.Increment(ref next) % 2 == 0 ? first : second).As("admin"), writers: 6, stop.Token);
            await FaultScenario.WaitUntilAsync(() => load.Acknowledged >= 120, TimeSpan.FromSeconds(60), "120 changes are acknowledged");
            await stop.CancelAsync();
            await writing;
        }

        await load.CompleteAsync(first.As("admin"));
        await StoreChecks.AssertEveryChangeStoredOnceAsync(scenario.Database, load);
        var received = await StoreChecks.AssertEveryEventPublishedAsync(scenario.Database, scenario.Queue);
        var late = await scenario.Queue.CollectForAsync(_ => true, TimeSpan.FromSeconds(2));
        var published = received.Concat(late).ToList();
        Assert.Equal(published.Count, published.DistinctBy(m => m.MessageId).Count()); // once, not once per instance
        await StoreChecks.AssertIndexAgreesAsync(first, scenario.Database, load);
        await StoreChecks.AssertIndexAgreesAsync(second, scenario.Database, load);
        await FaultScenario.AssertAuditIntactAsync(second); // one chain through both instances' entries
        await StoreChecks.AssertEveryEventAuditedOnceAsync(scenario.Database);

        // One instance holds the publisher's leadership lock; kill it and the other takes over publishing.
        var leaders = await LockHoldersAsync(scenario.Database);
        Assert.Single(leaders);
        var (leader, follower) = leaders[0] == first.Name ? (first, second) : (second, first);
        var before = await scenario.Database.ScalarAsync<long>("select max(seq_id) from optout.mt_events");
        await leader.KillAsync();

        var afterKill = new ChangeLoad();
        using (var stop = new CancellationTokenSource())
        {
            var writing = afterKill.RunAsync(() => follower.As("admin"), writers: 2, stop.Token);
            await FaultScenario.WaitUntilAsync(() => afterKill.Acknowledged >= 20, TimeSpan.FromSeconds(60), "20 changes are acknowledged by the survivor");
            await stop.CancelAsync();
            await writing;
        }

        await afterKill.CompleteAsync(follower.As("admin"));
        await StoreChecks.AssertEveryEventPublishedAsync(scenario.Database, scenario.Queue, afterSequence: before);
        Assert.Equal([follower.Name], await LockHoldersAsync(scenario.Database));
        output.WriteLine($"{published.Count} messages for {load.Changes.Count} changes through two instances; {leader.Name} led and was killed, {follower.Name} published the next {afterKill.Changes.Count}");
    }

    /// <summary>The instances holding the publisher's leadership lock (a bigint advisory lock: its high and low halves).</summary>
    private static async Task<List<string>> LockHoldersAsync(TestDatabase database) =>
        await database.ListAsync(
            "select distinct a.application_name from pg_locks l join pg_stat_activity a on a.pid = l.pid " +
            "where l.locktype = 'advisory' and l.granted and a.datname = current_database() and l.objsubid = 1 " +
            $"and (l.classid::bigint << 32) | l.objid::bigint = {OptOut.Publishing.ChangePublisher.LeaderLock}",
            row => row.GetString(0));
}
