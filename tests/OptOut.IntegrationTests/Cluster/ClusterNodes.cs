using System.Diagnostics;
using System.Globalization;
using System.Net;
using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.Cluster;

/// <summary>
/// The cluster `infra/optout cluster test` started on this machine (infra/cluster/cluster.sh): which PostgreSQL node
/// Patroni made primary, which RabbitMQ node leads a quorum queue, SIGKILL for either, and the operator's way back
/// (`infra/optout cluster servers` starts whatever node does not answer).
/// </summary>
public static class ClusterNodes
{
    private const string PostgresBase = "/var/lib/postgresql/optout-cluster";
    private const string RabbitBase = "/var/lib/rabbitmq/optout-cluster";
    private static readonly HttpClient Patroni = new() { Timeout = TimeSpan.FromSeconds(2) };

    /// <summary>The PostgreSQL node (1-3) Patroni reports as primary, or null while none is.</summary>
    public static async Task<int?> PrimaryAsync()
    {
        for (var node = 1; node <= 3; node++)
        {
            try
            {
                if ((await Patroni.GetAsync($"http://127.0.0.1:{8010 + node}/primary")).StatusCode == HttpStatusCode.OK)
                {
                    return node;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
        }

        return null;
    }

    /// <summary>Patroni's view of one node: its role ("master"/"primary", "replica") and state, or null if it does not answer.</summary>
    public static async Task<string?> RoleAsync(int node)
    {
        try
        {
            var status = System.Text.Json.JsonDocument.Parse(await Patroni.GetStringAsync($"http://127.0.0.1:{8010 + node}/patroni")).RootElement;
            return $"{status.GetProperty("role").GetString()} {status.GetProperty("state").GetString()}";
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>SIGKILL for the node's Patroni and its PostgreSQL server together, as a machine that dies takes both.</summary>
    public static async Task KillPostgresNodeAsync(int node)
    {
        var postmaster = (await File.ReadAllLinesAsync($"{PostgresBase}/pg{node}/data/postmaster.pid"))[0];
        var patroni = (await Command.RunAsync("pgrep", "-f", $"patroni {PostgresBase}/pg{node}/patroni.yml")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        await Command.RunAsync("kill", ["-KILL", postmaster, .. patroni]);
    }

    /// <summary>
    /// The RabbitMQ node leading a quorum queue (its Raft leader), as rabbitmqctl names it, asked of the first node
    /// that answers (the one asked before may be the one a test killed).
    /// </summary>
    public static async Task<string> QueueLeaderAsync(string queue)
    {
        for (var node = 1; ; node++)
        {
            try
            {
                var lines = await Command.RunAsync("rabbitmqctl", "-q", "-n", $"optout-mq-{node}@localhost", "list_queues", "name", "leader", "--no-table-headers");
                return lines.Split('\n').Select(l => l.Split('\t')).First(f => f[0] == queue)[1].Trim();
            }
            catch (InvalidOperationException) when (node < 3)
            {
                // That node is down: ask the next.
            }
        }
    }

    /// <summary>SIGKILL for a RabbitMQ node's Erlang VM.</summary>
    public static async Task KillRabbitNodeAsync(string node)
    {
        var number = node.Split('@')[0][^1];
        var pid = (await File.ReadAllTextAsync($"{RabbitBase}/mq{number}/pid")).Trim();
        await Command.RunAsync("kill", "-KILL", pid);
    }

    /// <summary>What an operator runs after a node died: every stopped node starts and rejoins its cluster.</summary>
    public static Task RestartStoppedNodesAsync() =>
        Command.RunAsync(Path.Combine(Repository.Root, "infra", "optout"), "cluster", "servers");

    /// <summary>One of `infra/optout cluster`'s operator commands (backup, archive-now, restore); what it printed.</summary>
    public static Task<string> OperatorAsync(params string[] arguments) =>
        Command.RunAsync(Path.Combine(Repository.Root, "infra", "optout"), ["cluster", .. arguments]);

    /// <summary>Stops the server `cluster restore` started on <paramref name="port"/> and removes it and the backup it came from.</summary>
    public static async Task RemoveRestoredAsync(int port, string backup)
    {
        var directory = $"/var/lib/postgresql/optout-restore/{port}";
        await Command.RunAsync("su", "postgres", "-s", "/bin/sh", "-c", $"/usr/lib/postgresql/15/bin/pg_ctl -D {directory} stop -m fast");
        Directory.Delete(directory, recursive: true);
        Directory.Delete(backup, recursive: true);
    }

    /// <summary>
    /// The archived WAL segments (whole or partial, of any timeline) that come before the first one a restore from
    /// <paramref name="backup"/> needs, as named in its backup_label.
    /// </summary>
    public static IReadOnlyList<string> ArchivedSegmentsBefore(string backup)
    {
        var label = File.ReadAllLines(Path.Combine(backup, "backup_label")).Single(l => l.StartsWith("START WAL LOCATION:", StringComparison.Ordinal));
        var first = label[(label.IndexOf("(file ", StringComparison.Ordinal) + "(file ".Length)..^1];
        // A segment's name is its timeline (8 hex digits), then its position (16): order by position alone.
        return Directory.GetFiles(Path.Combine(PostgresBase, "archive"))
            .Select(f => Path.GetFileName(f))
            .Where(f => f.Length >= 24 && f[..24].All(char.IsAsciiHexDigitUpper) && (f.Length == 24 || f[24..] == ".partial"))
            .Where(f => string.CompareOrdinal(f[8..24], first[8..24]) < 0)
            .ToList();
    }

    /// <summary>The base backups `cluster backup` keeps beside <paramref name="backup"/>, oldest first.</summary>
    public static IReadOnlyList<string> BackupsBeside(string backup) =>
        Directory.GetDirectories(Path.GetDirectoryName(backup)!)
            .Where(d => File.Exists(Path.Combine(d, "backup_manifest")))
            .Order(StringComparer.Ordinal)
            .ToList();

    public static string Format(TimeSpan span) => span.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";

    public static readonly Stopwatch Clock = Stopwatch.StartNew();
}
