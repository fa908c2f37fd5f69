using OptOut.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace OptOut.IntegrationTests.Faults;

public class BrokerOutageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task RabbitMQ_stopped_during_a_stream_of_changes_loses_nothing_and_keeps_each_patients_order()
    {
        await using var scenario = await FaultScenario.CreateAsync();
        var service = await scenario.StartServiceAsync();
        var load = new ChangeLoad();
        using var stop = new CancellationTokenSource();
        var writing = load.RunAsync(() => service.As("admin"), writers: 4, stop.Token);
        await FaultScenario.WaitUntilAsync(() => load.Acknowledged >= 40, TimeSpan.FromSeconds(60), "40 changes are acknowledged");

        int acknowledgedWhileDown;
        await scenario.Servers.Broker.StopAsync();
        try
        {
            // Writes never wait for the broker: the event store is the outbox.
            var atStop = load.Acknowledged;
            await FaultScenario.WaitUntilAsync(() => load.Acknowledged >= atStop + 40, TimeSpan.FromSeconds(60), "40 changes are acknowledged with the broker down");
            acknowledgedWhileDown = load.Acknowledged - atStop;
        }
        finally
        {
            await scenario.Servers.Broker.StartAsync();
        }

        var atStart = load.Acknowledged;
        await FaultScenario.WaitUntilAsync(() => load.Acknowledged >= atStart + 40, TimeSpan.FromSeconds(60), "40 more changes are acknowledged");
        await stop.CancelAsync();
        await writing;
        await load.CompleteAsync(service.As("admin"));

        Assert.Empty(load.Failures);
        await StoreChecks.AssertEveryChangeStoredOnceAsync(scenario.Database, load);
        var received = await StoreChecks.AssertEveryEventPublishedAsync(scenario.Database, scenario.Queue, service, output);

        await FaultScenario.AssertAuditIntactAsync(service);
        await StoreChecks.AssertEveryEventAuditedOnceAsync(scenario.Database);
        output.WriteLine($"{load.Changes.Count} changes, {acknowledgedWhileDown} while the broker was down; {received.Count} messages");
    }
}
