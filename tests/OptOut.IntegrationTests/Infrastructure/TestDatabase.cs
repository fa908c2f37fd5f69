using Npgsql;

namespace OptOut.IntegrationTests.Infrastructure;

/// <summary>A fresh database on the real server, dropped (with any connections still open) when disposed.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string? _admin;
    private readonly string _name = "optout_test_" + Guid.NewGuid().ToString("N")[..12];

    private TestDatabase(string admin)
    {
        _admin = admin;
        ConnectionString = new NpgsqlConnectionStringBuilder(admin) { Database = _name }.ConnectionString;
    }

    private TestDatabase(string? admin, string connectionString)
    {
        _admin = admin;
        ConnectionString = connectionString;
    }

    /// <summary>A database this test did not create (a restored copy, say): read as any other, never dropped.</summary>
    public static TestDatabase Existing(string connectionString) => new(null, connectionString);

    public string ConnectionString { get; }

    public static async Task<TestDatabase> CreateAsync(TestServers servers)
    {
        var database = new TestDatabase(servers.PostgresAdmin);
        await database.AdminAsync($"create database {database._name}");
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        if (_admin is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await AdminAsync($"drop database if exists {_name} with (force)");
                return;
            }
            catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.ObjectInUse && attempt < 20)
            {
                // An autovacuum worker (the superuser's, so not ours to terminate) is busy on it after a write load.
                await Task.Delay(250);
            }
        }
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// Holds the patient map's writes (a table lock; reads, which checkpoints make, go on) until disposed: the log then
    /// grows and is signed past the map, as when the map falls behind under load.
    /// </summary>
    public async Task<IAsyncDisposable> HoldPatientMapWritesAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand("lock table optout.audit_map in exclusive mode", connection, transaction))
        {
            await command.ExecuteNonQueryAsync();
        }

        return connection; // closing it ends the transaction, and the lock with it
    }

    public async Task<List<T>> ListAsync<T>(string sql, Func<NpgsqlDataReader, T> read)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    private async Task AdminAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_admin ?? throw new InvalidOperationException("Not a database this test created."));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
