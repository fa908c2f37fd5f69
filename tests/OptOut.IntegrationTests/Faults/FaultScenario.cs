using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.Faults;

/// <summary>
/// One fault test's world: a fresh database, a queue bound before anything is written, and services
/// started as their own processes with one set of keys (as every instance of a deployment shares them).
/// </summary>
public sealed class FaultScenario : IAsyncDisposable
{
    private readonly List<ServiceProcess> _services = [];

    private FaultScenario(TestServers servers, TestDatabase database, ChangeSubscriber queue)
    {
        Servers = servers;
        Database = database;
        Queue = queue;
    }

    public TestServers Servers { get; }

    public TestDatabase Database { get; }

    public ChangeSubscriber Queue { get; }

    public TestSettings Settings { get; } = new();

    public static async Task<FaultScenario> CreateAsync()
    {
        var servers = await TestServers.StartAsync();
        var database = await TestDatabase.CreateAsync(servers);
        return new FaultScenario(servers, database, await ChangeSubscriber.BindAsync(servers.RabbitMq, StoreChecks.Exchange));
    }

    public async Task<ServiceProcess> StartServiceAsync(string name = "optout-test", IReadOnlyDictionary<string, string>? overrides = null)
    {
        var service = await ServiceProcess.StartAsync(Settings, Database.ConnectionString, Servers.RabbitMq, name, overrides);
        _services.Add(service);
        return service;
    }

    /// <summary>The audit chain and its signed checkpoints, re-verified by the service a DPO would ask.</summary>
    public static async Task AssertAuditIntactAsync(ServiceProcess service)
    {
        var verification = await service.As("dpo").GetAsync("/v1/audit/verification").JsonAsync();
        Assert.True(verification.GetProperty("intact").GetBoolean(), verification.ToString());
        Assert.True(verification.GetProperty("entries").GetInt64() > 0);
    }

    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting until {what}");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var service in _services)
        {
            await service.DisposeAsync();
        }

        await Queue.DisposeAsync();
        await Database.DisposeAsync();
    }
}
