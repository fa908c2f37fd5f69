using Xunit.Abstractions;

namespace OptOut.IntegrationTests.Faults;

public class KilledServiceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_service_killed_with_SIGKILL_mid_write_keeps_every_acknowledged_change_and_publishes_it_after_restart()
    {
        await using var scenario = await FaultScenario.CreateAsync();
        var first = await scenario.StartServiceAsync();
        var load = new ChangeLoad();
        using var stop = new CancellationTokenSource();
        var writing = load.RunAsync(() => first.As("admin"), writers: 8, stop.Token);

        await FaultScenario.WaitUntilAsync(() => load.Acknowledged >= 150, TimeSpan.FromSeconds(60), "150 changes are acknowledged");
        await first.KillAsync();
        await stop.CancelAsync();
        await writing;
        var inFlight = load.Changes.Count(c => c.Version is null);
        Assert.True(inFlight > 0, "The kill caught no change in flight");

        var second = await scenario.StartServiceAsync();
        // Each unanswered change is sent again with its key: stored before the kill, it is replayed, not repeated.
        await load.CompleteAsync(second.As("admin"));

        await StoreChecks.AssertEveryChangeStoredOnceAsync(scenario.Database, load);
        var received = await StoreChecks.AssertEveryEventPublishedAsync(scenario.Database, scenario.Queue);
        output.WriteLine($"{load.Changes.Count} changes, {inFlight} in flight at the kill; {received.Count} messages for {received.DistinctBy(m => m.MessageId).Count()} events");
        await StoreChecks.AssertIndexAgreesAsync(second, scenario.Database, load);
        await FaultScenario.AssertAuditIntactAsync(second);
        await StoreChecks.AssertEveryEventAuditedOnceAsync(scenario.Database);
    }
}
