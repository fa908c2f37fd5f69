using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace OptOut.IntegrationTests.Infrastructure;

/// <summary>
/// One OptOut service host and one fresh database per test collection, on the real servers.
/// Tests in a collection share it, so each test works on NHS numbers of its own.
/// </summary>
public sealed class OptOutService : WebApplicationFactory<Program>, IAsyncLifetime
{
    private TestDatabase? _database;

    public TestSettings Settings { get; } = new();

    public string SigningKey => Settings.SigningKey;

    public TestServers Servers { get; private set; } = null!;

    public CapturedLogs Logs { get; } = new();

    public string ConnectionString => _database?.ConnectionString ?? throw new InvalidOperationException("The database is not created yet.");

    public TestDatabase Database => _database ?? throw new InvalidOperationException("The database is not created yet.");

    public async Task InitializeAsync()
    {
        Servers = await TestServers.StartAsync();
        _database = await TestDatabase.CreateAsync(Servers);
        _ = Server; // start the host now, not inside the first test
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in Settings.For(ConnectionString, Servers.RabbitMq))
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
    }

    /// <summary>A client whose token has the role; a patient is an adult unless <paramref name="birthDate"/> says otherwise.</summary>
    public HttpClient As(string role, string? nhsNumber = null, string? subject = null, string? odsCode = null, DateOnly? birthDate = null) =>
        WithToken(Settings.Token(role, nhsNumber, subject, odsCode, birthDate));

    public HttpClient WithToken(string? token)
    {
        var client = CreateClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    /// <summary>How many events the patient's stream holds, read from the event store's own table.</summary>
    public async Task<long> EventCountAsync(string nhsNumber)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select count(*) from optout.mt_events where stream_id = @id", connection);
        command.Parameters.AddWithValue("id", nhsNumber);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The opt-out status a pipeline sees once the index reflects every event stored so far.</summary>
    public async Task<System.Text.Json.JsonElement> StatusAsync(string nhsNumber)
    {
        var response = await As("pipeline").GetAsync($"/v1/opt-outs/{nhsNumber}?minSequence={await LatestSequenceAsync()}");
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<System.Text.Json.JsonElement>(response.Content);
    }

    public async Task<bool> OptedOutAsync(string nhsNumber) => (await StatusAsync(nhsNumber)).GetProperty("optedOut").GetBoolean();

    /// <summary>Reads the event store's tables directly: for counts made independently of the service.</summary>
    public Task<List<T>> QueryAsync<T>(string sql, Func<NpgsqlDataReader, T> read) => _database!.ListAsync(sql, read);

    public Task<long> LatestSequenceAsync() => _database!.ScalarAsync<long>("select coalesce(max(seq_id), 0) from optout.mt_events");
}

[CollectionDefinition(Name)]
public sealed class OptOutServiceGroup : ICollectionFixture<OptOutService>
{
    public const string Name = "OptOut service";
}
