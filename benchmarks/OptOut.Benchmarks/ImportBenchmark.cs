using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace OptOut.Benchmarks;

/// <summary>
/// `infra/optout bench import`: a national list of opt-outs imported into an empty store with `optout import` (the
/// service's own command), run twice to show it is restartable, against a plain COPY of the same file into a keyed
/// table in the same run: the floor for getting those rows into PostgreSQL at all.
/// </summary>
public sealed partial class ImportBenchmark(string database, string serviceDll, int rows, Func<Random, string> nhsNumber, Action<string> line)
{
    private const string Store = "optout_bench_import";

    public async Task RunAsync()
    {
        var file = Path.Combine(Path.GetTempPath(), "optout-import-bench.csv");
        var random = new Random(13);
        await using (var writer = new StreamWriter(file))
        {
            await writer.WriteLineAsync("nhsNumber,optedOutAt");
            var seen = new HashSet<string>(rows);
            while (seen.Count < rows)
            {
                var n = nhsNumber(random);
                if (seen.Add(n))
                {
                    await writer.WriteLineAsync($"{n},2021-06-{1 + (seen.Count % 28):00}T12:00:00Z");
                }
            }
        }

        await RecreateAsync();
        var first = Import(file);
        var again = Import(file);
        var copy = await CopyAsync(file);
        await DropAsync();
        var size = new FileInfo(file).Length / 1048576.0;
        line($"| Import of {first.Imported:N0} opt-outs into an empty store (CSV, {size:F0} MiB; `optout import`) | {first.Seconds:F1} s, {first.Imported / first.Seconds:N0} rows/s; run again (restart): {again.Seconds:F1} s, {again.Imported:N0} imported | COPY of the same file into a keyed table: {copy:F1} s, {rows / copy:N0} rows/s | {copy / first.Seconds:F2}x |");
    }

    private Task RecreateAsync() => OnServerAsync($"drop database if exists {Store} with (force)", $"create database {Store}");

    /// <summary>Its 10 GB would otherwise keep autovacuum busy under the next benchmark.</summary>
    private async Task DropAsync()
    {
        try
        {
            await OnServerAsync($"drop database if exists {Store} with (force)");
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            // An autovacuum worker is in it, which only a superuser may end: infra/optout drops it as the run ends.
            Console.Error.WriteLine($"{Store} is left for infra/optout to drop: {ex.MessageText}");
        }
    }

    private async Task OnServerAsync(params string[] statements)
    {
        var admin = new NpgsqlConnectionStringBuilder(database) { Database = "postgres" };
        await using var connection = new NpgsqlConnection(admin.ConnectionString);
        await connection.OpenAsync();
        foreach (var sql in statements)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    private (long Imported, double Seconds) Import(string file)
    {
        var store = new NpgsqlConnectionStringBuilder(database) { Database = Store }.ConnectionString;
        var clock = Stopwatch.StartNew();
        // From its output folder, so its appsettings.json is the content root's.
        var output = Measure.Run("bash", $"-c \"cd '{Path.GetDirectoryName(serviceDll)}' && exec dotnet '{Path.GetFileName(serviceDll)}' import '{file}'\"",
            new Dictionary<string, string> { ["ConnectionStrings__Marten"] = store });
        Console.Error.WriteLine($"import: {clock.Elapsed.TotalSeconds:F1} s with start-up");
        return (long.Parse(Imported().Match(output).Groups[1].Value, CultureInfo.InvariantCulture),
            double.Parse(Seconds().Match(output).Groups[1].Value, CultureInfo.InvariantCulture));
    }

    private async Task<double> CopyAsync(string file)
    {
        var store = new NpgsqlConnectionStringBuilder(database) { Database = Store }.ConnectionString;
        await using var connection = new NpgsqlConnection(store);
        await connection.OpenAsync();
        await using (var create = new NpgsqlCommand("create table copied (nhs_number text primary key, opted_out_at timestamptz not null)", connection))
        {
            await create.ExecuteNonQueryAsync();
        }

        var clock = Stopwatch.StartNew();
        await using (var writer = await connection.BeginTextImportAsync("COPY copied FROM STDIN (FORMAT CSV, HEADER true)"))
        using (var reader = new StreamReader(file))
        {
            await writer.WriteAsync(await reader.ReadToEndAsync());
        }

        return clock.Elapsed.TotalSeconds;
    }

    [GeneratedRegex("\"imported\": (\\d+)")]
    private static partial Regex Imported();

    [GeneratedRegex("\"seconds\": ([0-9.]+)")]
    private static partial Regex Seconds();
}
