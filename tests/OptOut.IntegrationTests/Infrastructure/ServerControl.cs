using System.Diagnostics;
using DotNet.Testcontainers.Containers;
using Npgsql;

namespace OptOut.IntegrationTests.Infrastructure;

/// <summary>Stops and starts a real server, for the tests that prove OptOut rides out its outage.</summary>
public interface IServerControl
{
    Task StopAsync();

    Task StartAsync();
}

/// <summary>The local broker `infra/optout` started: stop_app closes every connection and refuses new ones.</summary>
public sealed class RabbitMqCtlBroker : IServerControl
{
    public Task StopAsync() => Command.RunAsync("rabbitmqctl", "-q", "stop_app");

    public async Task StartAsync()
    {
        await Command.RunAsync("rabbitmqctl", "-q", "start_app");
        await Command.RunAsync("rabbitmqctl", "-q", "await_startup");
    }
}

/// <summary>The local PostgreSQL cluster listening on the tests' port, stopped the way an operator's restart does (fast: sessions are cut).</summary>
public sealed class PostgresCluster(string connectionString) : IServerControl
{
    public async Task StopAsync()
    {
        var (version, name) = await ClusterAsync();
        await Command.RunAsync("pg_ctlcluster", version, name, "stop", "-m", "fast");
    }

    public async Task StartAsync()
    {
        var (version, name) = await ClusterAsync();
        await Command.RunAsync("pg_ctlcluster", version, name, "start");
        // Pooled connections in the test process died with the server.
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>Runs a SQL file as the cluster's superuser (psql through the postgres account), with psql variables.</summary>
    public static async Task RunAsSuperuserAsync(string database, string file, params (string Name, string Value)[] variables)
    {
        // Copied where the postgres account can read it (the checkout's directories may not let it in).
        var copy = Path.Combine(Path.GetTempPath(), $"optout-{Guid.NewGuid():N}.sql");
        File.Copy(file, copy);
        try
        {
            var psql = $"psql -X -q -v ON_ERROR_STOP=1 -d {database} -f {copy} " + string.Join(' ', variables.Select(v => $"-v {v.Name}={v.Value}"));
            await Command.RunAsync("su", "postgres", "-c", psql);
        }
        finally
        {
            File.Delete(copy);
        }
    }

    private async Task<(string Version, string Name)> ClusterAsync()
    {
        var port = new NpgsqlConnectionStringBuilder(connectionString).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var clusters = await Command.RunAsync("pg_lsclusters", "-h");
        var cluster = clusters.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .FirstOrDefault(fields => fields.Length > 2 && fields[2] == port)
            ?? throw new InvalidOperationException($"No local PostgreSQL cluster listens on port {port}: {clusters}");
        return (cluster[0], cluster[1]);
    }
}

public sealed class ContainerServer(IContainer container) : IServerControl
{
    public Task StopAsync() => container.StopAsync();

    public async Task StartAsync()
    {
        await container.StartAsync();
        NpgsqlConnection.ClearAllPools();
    }
}

internal static class Command
{
    public static async Task<string> RunAsync(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException($"{file} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed: {await error}");
        }

        return await output;
    }
}
