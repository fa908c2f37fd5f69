using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;
using Npgsql;
using OptOut.Cli.Tokens;

namespace OptOut.IntegrationTests.Infrastructure;

/// <summary>
/// One OptOut service host and one fresh database per test collection, on the real servers.
/// Tests in a collection share it, so each test works on NHS numbers of its own.
/// </summary>
public sealed class OptOutService : WebApplicationFactory<Program>, IAsyncLifetime
{
    private readonly string _database = "optout_test_" + Guid.NewGuid().ToString("N")[..12];

    public string SigningKey { get; } = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48));

    public TestServers Servers { get; private set; } = null!;

    public CapturedLogs Logs { get; } = new();

    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Servers = await TestServers.StartAsync();
        ConnectionString = new NpgsqlConnectionStringBuilder(Servers.PostgresAdmin) { Database = _database }.ConnectionString;
        await AdminAsync($"create database {_database}");
        _ = Server; // start the host now, not inside the first test
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await AdminAsync($"drop database if exists {_database} with (force)");
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:Marten", ConnectionString);
        builder.UseSetting("ConnectionStrings:RabbitMq", Servers.RabbitMq.ToString());
        builder.UseSetting("Auth:DevelopmentSigningKey", SigningKey);
        builder.UseSetting("Publishing:ConfirmTimeout", "00:00:03");
        builder.UseSetting("Publishing:FirstRetryDelay", "00:00:00.100");
        builder.UseSetting("Publishing:MaxRetryDelay", "00:00:01");
        builder.UseSetting("ConsentExpiry:Interval", "00:00:00.500");
        builder.UseSetting("OptOutIndex:MaxWait", "00:00:05");
        builder.UseSetting("OptOutChecks:MaxBodyBytes", "5000000");
        builder.UseSetting("OptOutChecks:MaxLines", "200000");
        builder.UseSetting("Audit:CheckpointEvery", "5");
        builder.ConfigureLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
    }

    /// <summary>A client whose token has the role; a patient is an adult unless <paramref name="birthDate"/> says otherwise.</summary>
    public HttpClient As(string role, string? nhsNumber = null, string? subject = null, string? odsCode = null, DateOnly? birthDate = null)
    {
        var claims = new Dictionary<string, object> { ["role"] = role, ["sub"] = subject ?? $"test-{role}" };
        if (nhsNumber is not null)
        {
            claims["nhs_number"] = nhsNumber;
            claims["birthdate"] = (birthDate ?? new DateOnly(1980, 1, 1)).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        }

        if (odsCode is not null)
        {
            claims["ods_code"] = odsCode;
        }

        return WithToken(TokenCommand.Mint(SigningKey, claims, TimeSpan.FromMinutes(10)));
    }

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

    public async Task<long> LatestSequenceAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select coalesce(max(seq_id), 0) from optout.mt_events", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task AdminAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Servers.PostgresAdmin);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class OptOutServiceGroup : ICollectionFixture<OptOutService>
{
    public const string Name = "OptOut service";
}
