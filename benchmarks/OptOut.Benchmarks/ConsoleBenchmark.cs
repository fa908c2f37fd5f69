using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Npgsql;

namespace OptOut.Benchmarks;

/// <summary>
/// The staff console's reads at design size (3.5 million opt-outs, 20 million audit entries): the statistics and an audit
/// page, each timed over sequential requests through HTTP (sign-in check, audit of the read, JSON) next to the bare SQL
/// of the same rows in the same run, and the statistics beside the scan they replace.
/// </summary>
public sealed class ConsoleBenchmark(Func<string, HttpClient> client, string database)
{
    private const int AuditEntries = 20_000_000;
    private const int Requests = 200;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public async Task RunAsync(Action<string> line)
    {
        await SeedAuditAsync();
        using var dpo = client("dpo");
        var rebuild = Stopwatch.StartNew();
        var rebuilt = JsonDocument.Parse(await (await dpo.PostAsync("/v1/statistics/rebuild", null)).Content.ReadAsStringAsync()).RootElement;
        line($"| Statistics rebuilt from every event (POST /v1/statistics/rebuild, {rebuilt.GetProperty("sequence").GetInt64():N0} events) | {rebuild.Elapsed.TotalSeconds:F0} s | | |");

        var scan = await SqlAsync("select count(*) from optout.mt_doc_patientpreferences where national_data_opt_outopted_out", 5);
        var stats = await HttpAsync(dpo, "/v1/statistics");
        line($"| Statistics for data-protection officers, GET /v1/statistics (p50 / p99 of {Requests}) | {stats.P50:F1} / {stats.P99:F1} ms | counting opt-outs at request time: {scan.P50:F0} ms | {scan.P50 / stats.P50:F0}x faster |");
        var national = await HttpAsync(client("anonymous"), "/v1/statistics/national");
        line($"| Public statistics, GET /v1/statistics/national (p50 / p99) | {national.P50:F1} / {national.P99:F1} ms | | |");

        // A seeded patient whose number is a valid NHS number (the seed's numbers are not all valid), with ten entries.
        var nhs = (await TextsAsync("select nhs_number from optout.audit_entries where seq between -1000 and -1"))
            .First(n => OptOut.NhsNumbers.NhsNumber.TryParse(n, out _, out _));
        var pages = new (string What, string Path, string Sql)[]
        {
            ("newest page, no filter", "/v1/audit/entries?limit=50",
                "select * from optout.audit_entries order by seq desc limit 50"),
            ("one patient's entries", $"/v1/audit/entries?nhsNumber={nhs}&limit=50",
                $"select * from optout.audit_entries where nhs_number = '{nhs}' order by seq desc limit 50"),
            ("one day's accesses, eight months back", "/v1/audit/entries?kind=access&from=2025-04-01T00:00:00Z&to=2025-04-02T00:00:00Z&limit=50",
                "select * from optout.audit_entries where kind = 'access' and recorded_at >= '2025-04-01' and recorded_at < '2025-04-02' order by seq desc limit 50"),
        };
        foreach (var (what, path, sql) in pages)
        {
            var http = await HttpAsync(dpo, path);
            var bare = await SqlAsync(sql, Requests);
            line($"| Audit explorer page, {what}, of {AuditEntries / 1e6:F0} million entries (p50 / p99) | {http.P50:F1} / {http.P99:F1} ms | plain SQL for the same rows: {bare.P50:F1} / {bare.P99:F1} ms | {bare.P50 / http.P50:F2}x |");
        }

    }

    /// <summary>
    /// Fills the benchmark database's audit table to design size with entries below the real chain (negative sequences), so
    /// the service's own chain carries on above them; they are not hash-linked, so this database's chain no longer verifies.
    /// Time runs with the sequence, as in a real chain: 20 million entries, 1.5 s apart, ending on 31 December 2025.
    /// </summary>
    private async Task SeedAuditAsync()
    {
        var present = await ScalarAsync("select count(*) from optout.audit_entries where seq < 0");
        if (present >= AuditEntries)
        {
            return;
        }

        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $$"""
            insert into optout.audit_entries (seq, recorded_at, kind, action, actor, actor_role, nhs_number, purpose, outcome, request_id, details, prev_hash, hash)
            select -g, timestamptz '2025-12-31' - g * interval '1.5 second', case when g % 10 = 0 then 'change' else 'access' end,
                   case when g % 10 = 0 then 'PUT /v1/patients/{n}/national-data-opt-out' else 'GET /v1/decisions/{n}' end,
                   'bench-' || (g % 50), case when g % 10 = 0 then 'patient' else 'pipeline' end,
                   (4000000000 + (g % 2000000) * 17)::text, 'research', 200, md5(g::text), '{}', md5((g + 1)::text), md5(g::text)
            from generate_series({{present + 1}}, {{AuditEntries}}) g
            """, connection) { CommandTimeout = 0 };
        var clock = Stopwatch.StartNew();
        await command.ExecuteNonQueryAsync();
        await new NpgsqlCommand("analyze optout.audit_entries", connection).ExecuteNonQueryAsync();
        Console.Error.WriteLine($"seeded {AuditEntries - present:N0} audit entries in {clock.Elapsed.TotalSeconds:F0} s");
    }

    private static async Task<(double P50, double P99)> HttpAsync(HttpClient http, string path)
    {
        (await http.GetAsync(path)).EnsureSuccessStatusCode();
        var times = new List<double>(Requests);
        for (var i = 0; i < Requests; i++)
        {
            var clock = Stopwatch.StartNew();
            using var response = await http.GetAsync(path);
            await response.Content.ReadAsByteArrayAsync();
            response.EnsureSuccessStatusCode();
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        return (Measure.Percentile(times, 50), Measure.Percentile(times, 99));
    }

    private async Task<(double P50, double P99)> SqlAsync(string sql, int runs)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        var times = new List<double>(runs);
        for (var i = 0; i <= runs; i++)
        {
            var clock = Stopwatch.StartNew();
            await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                _ = reader.GetValue(0);
            }

            if (i > 0)
            {
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        times.Sort();
        return (Measure.Percentile(times, 50), Measure.Percentile(times, 99));
    }

    private async Task<long> ScalarAsync(string sql) => Convert.ToInt64(await ScalarObjectAsync(sql), Inv);

    private async Task<List<string>> TextsAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var texts = new List<string>();
        while (await reader.ReadAsync())
        {
            texts.Add(reader.GetString(0));
        }

        return texts;
    }

    private async Task<object?> ScalarObjectAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
