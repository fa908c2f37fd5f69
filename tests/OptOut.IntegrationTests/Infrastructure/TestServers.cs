using DotNet.Testcontainers.Builders;
using Testcontainers.PostgreSql;
using Testcontainers.RabbitMq;

namespace OptOut.IntegrationTests.Infrastructure;

/// <summary>
/// The real PostgreSQL and RabbitMQ the tests run against: the servers `infra/optout test` started
/// (OPTOUT_TEST_POSTGRES and OPTOUT_TEST_RABBITMQ), or containers where a Docker engine is reachable.
/// Started once for the whole test run.
/// </summary>
public sealed class TestServers
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static TestServers? _instance;

    private TestServers(string postgresAdmin, Uri rabbitMq, IServerControl database, IServerControl broker)
    {
        PostgresAdmin = postgresAdmin;
        RabbitMq = rabbitMq;
        Database = database;
        Broker = broker;
    }

    /// <summary>A connection string whose user may create databases.</summary>
    public string PostgresAdmin { get; }

    public Uri RabbitMq { get; }

    public IServerControl Database { get; }

    public IServerControl Broker { get; }

    /// <summary>Every RabbitMQ node ("host:port"), when the servers are a cluster (`infra/optout cluster test`); else none.</summary>
    public static IReadOnlyList<string> RabbitMqNodes { get; } =
        (Environment.GetEnvironmentVariable("OPTOUT_TEST_RABBITMQ_NODES") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);

    public static async Task<TestServers> StartAsync()
    {
        await Gate.WaitAsync();
        try
        {
            return _instance ??= await CreateAsync();
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<TestServers> CreateAsync()
    {
        var postgres = Environment.GetEnvironmentVariable("OPTOUT_TEST_POSTGRES");
        var rabbit = Environment.GetEnvironmentVariable("OPTOUT_TEST_RABBITMQ");
        if (!string.IsNullOrEmpty(postgres) && !string.IsNullOrEmpty(rabbit))
        {
            return new TestServers(postgres, new Uri(rabbit), new PostgresCluster(postgres), new RabbitMqCtlBroker());
        }

        // No local servers named: start containers (needs a Docker engine).
        // Fixed host ports, so each server keeps its address when a test stops and restarts it.
        var pg = new PostgreSqlBuilder("postgres:15").WithPortBinding(FreeTcpPort(), 5432).Build();
        var mq = new RabbitMqBuilder("rabbitmq:3.10-management").WithPortBinding(FreeTcpPort(), 5672).Build();
        await Task.WhenAll(pg.StartAsync(), mq.StartAsync());
        return new TestServers(pg.GetConnectionString(), new Uri(mq.GetConnectionString()), new ContainerServer(pg), new ContainerServer(mq));
    }

    internal static int FreeTcpPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
