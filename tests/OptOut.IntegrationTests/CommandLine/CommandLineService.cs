using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.CommandLine;

/// <summary>A service on a real port, as the optout tool reaches it, with a database of its own.</summary>
public sealed class CommandLineService : IAsyncLifetime
{
    private TestDatabase? _database;

    public TestSettings Settings { get; } = new();

    public ServiceProcess Service { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var servers = await TestServers.StartAsync();
        _database = await TestDatabase.CreateAsync(servers);
        Service = await ServiceProcess.StartAsync(Settings, _database.ConnectionString, servers.RabbitMq, "optout-cli-test");
    }

    public async Task DisposeAsync()
    {
        await Service.DisposeAsync();
        await _database!.DisposeAsync();
    }

    public Task<CliRun> RunAsync(params string[] args) => OptOutCli.RunAsync(Settings.SigningKey, args);

    /// <summary>A file holding these lines, deleted with the test run's temp folder.</summary>
    public static string FileOf(string extension, params string[] lines)
    {
        var path = Path.Combine(Path.GetTempPath(), $"optout-cli-{Guid.NewGuid():N}{extension}");
        File.WriteAllText(path, string.Join('\n', lines));
        return path;
    }
}

[CollectionDefinition(Name)]
public sealed class CommandLineGroup : ICollectionFixture<CommandLineService>
{
    public const string Name = "Command line";
}
