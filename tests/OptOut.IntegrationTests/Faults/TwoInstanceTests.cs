using System.Net;
using Npgsql;
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
        var leaders = await LockHoldersAsync(scenario.Database, OptOut.Publishing.ChangePublisher.LeaderLock);
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
        Assert.Equal([follower.Name], await LockHoldersAsync(scenario.Database, OptOut.Publishing.ChangePublisher.LeaderLock));
        output.WriteLine($"{published.Count} messages for {load.Changes.Count} changes through two instances; {leader.Name} led and was killed, {follower.Name} published the next {afterKill.Changes.Count}");
    }

    [Fact]
    public async Task Both_instances_answer_audited_reads_while_another_session_holds_the_chain_and_the_leader_chains_them_after()
    {
        await using var scenario = await FaultScenario.CreateAsync();
        var first = await scenario.StartServiceAsync("optout-a");
        var second = await scenario.StartServiceAsync("optout-b");
        var leaders = await LockHoldersAsync(scenario.Database, OptOut.Audit.ChainLeadership.LeaderLock);
        Assert.Single(leaders);
        var (leader, follower) = leaders[0] == first.Name ? (first, second) : (second, first);

        // Nothing can be chained while this is held (a superuser's session, or a handover): the instance that does not
        // lead never waits for it, and the leader waits a quarter of a second and then puts its entries aside too.
        await using var holder = new NpgsqlConnection(scenario.Database.ConnectionString);
        await holder.OpenAsync();
        await using (var hold = new NpgsqlCommand($"select pg_advisory_lock({OptOut.Audit.AuditLog.ChainLock})", holder))
        {
            await hold.ExecuteNonQueryAsync();
        }

        using var viaFollower = follower.As("pipeline");
        using var viaLeader = leader.As("pipeline");
        viaFollower.Timeout = viaLeader.Timeout = TimeSpan.FromSeconds(10);
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => (i % 2 == 0 ? viaFollower : viaLeader).GetAsync($"/v1/opt-outs/{TestPatients.NewNhsNumber()}")));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        var ids = string.Join(",", answers.Select(a => $"'{a.Headers.GetValues("X-Request-Id").Single()}'"));
        Assert.Equal(20L, await scenario.Database.ScalarAsync<long>($"select count(*) from optout.audit_pending where record->>'RequestId' in ({ids})"));
        Assert.Equal(0L, await scenario.Database.ScalarAsync<long>($"select count(*) from optout.audit_entries where request_id in ({ids})"));

        await using (var release = new NpgsqlCommand($"select pg_advisory_unlock({OptOut.Audit.AuditLog.ChainLock})", holder))
        {
            await release.ExecuteNonQueryAsync();
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (await scenario.Database.ScalarAsync<long>($"select count(*) from optout.audit_entries where request_id in ({ids})") < 20)
        {
            Assert.True(DateTime.UtcNow < deadline, "The leader never chained the entries put aside");
            await Task.Delay(100);
        }

        Assert.Equal(0L, await scenario.Database.ScalarAsync<long>($"select count(*) from optout.audit_pending where record->>'RequestId' in ({ids})"));
        await FaultScenario.AssertAuditIntactAsync(follower);
    }

    /// <summary>The instances holding a leadership lock (a bigint advisory lock: its high and low halves).</summary>
    private static async Task<List<string>> LockHoldersAsync(TestDatabase database, long key) =>
        await database.ListAsync(
            "select distinct a.application_name from pg_locks l join pg_stat_activity a on a.pid = l.pid " +
            "where l.locktype = 'advisory' and l.granted and a.datname = current_database() and l.objsubid = 1 " +
            $"and (l.classid::bigint << 32) | l.objid::bigint = {key}",
            row => row.GetString(0));
}
