using System.Net;
using Xunit.Abstractions;

namespace OptOut.IntegrationTests.Faults;

public class PostgresRestartTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_PostgreSQL_restart_under_write_load_is_reported_by_readiness_and_healed_without_losing_an_accepted_change()
    {
        await using var scenario = await FaultScenario.CreateAsync();
        var service = await scenario.StartServiceAsync();
        var load = new ChangeLoad();
        using var stop = new CancellationTokenSource();
        var writing = load.RunAsync(() => service.As("admin"), writers: 4, stop.Token);
        await FaultScenario.WaitUntilAsync(() => load.Acknowledged >= 50, TimeSpan.FromSeconds(60), "50 changes are acknowledged");

        await scenario.Servers.Database.StopAsync();
        int acknowledgedBefore;
        try
        {
            var readiness = await service.ReadinessAsync(HttpStatusCode.ServiceUnavailable);
            Assert.Contains("postgresql", readiness, StringComparison.Ordinal);
            acknowledgedBefore = load.Acknowledged;
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.Equal(acknowledgedBefore, load.Acknowledged); // nothing is acknowledged that could not be stored

            // The index could answer from memory, but an answer that cannot be audited is withheld.
            var lookup = await service.As("pipeline").GetAsync($"/v1/opt-outs/{load.Changes.First().NhsNumber}");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, lookup.StatusCode);
            Assert.Equal("application/problem+json", lookup.Content.Headers.ContentType?.MediaType);
            Assert.NotNull(lookup.Headers.RetryAfter);
        }
        finally
        {
            await scenario.Servers.Database.StartAsync();
        }

        // Nobody restarts the service: it reconnects by itself and takes changes again.
        await service.ReadinessAsync(HttpStatusCode.OK);
        await FaultScenario.WaitUntilAsync(() => load.Acknowledged >= acknowledgedBefore + 50, TimeSpan.FromSeconds(60), "50 more changes are acknowledged");
        await stop.CancelAsync();
        await writing;
        await load.CompleteAsync(service.As("admin"));

        output.WriteLine($"{load.Changes.Count} changes; answers other than 2xx: " +
            string.Join(", ", load.Failures.GroupBy(f => f).Select(g => $"{g.Key} x{g.Count()}")));
        Assert.All(load.Failures, f => Assert.Equal("503 application/problem+json", f));
        await StoreChecks.AssertEveryChangeStoredOnceAsync(scenario.Database, load);
        await StoreChecks.AssertEveryEventPublishedAsync(scenario.Database, scenario.Queue);
        await StoreChecks.AssertIndexAgreesAsync(service, scenario.Database, load);
        await FaultScenario.AssertAuditIntactAsync(service);
        await StoreChecks.AssertEveryEventAuditedOnceAsync(scenario.Database);

        // Whatever the outage logged (the database down, statements failing), no line the service kept names a patient.
        Assert.All(load.Changes.Select(c => c.NhsNumber).Distinct(), nhs => Assert.DoesNotContain(nhs, service.Output, StringComparison.Ordinal));
    }
}
