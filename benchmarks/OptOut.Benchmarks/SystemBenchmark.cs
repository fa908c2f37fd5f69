using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using OptOut.EventStore;
using OptOut.Cli.Tokens;
using OptOut.Indexing;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using OptOut.NhsNumbers;

namespace OptOut.Benchmarks;

/// <summary>
/// The end-to-end figures for docs/benchmarks.md, each next to a PostgreSQL baseline measured in the same
/// run on the same machine: these machines are noisy, so ratios mean more than absolute numbers.
/// </summary>
public sealed class SystemBenchmark(Uri service, string signingKey, string database, Uri broker, int seed, int checkSize, TimeSpan loadTime)
{
    private readonly Random _random = new(20261124);
    private readonly StringBuilder _report = new();
    private string[] _optedOut = [];

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public async Task<string> RunAsync()
    {
        await HeaderAndSeedAsync();
        await IndexBuildAsync();
        await BulkCheckAsync();
        await LookupsAsync();
        var changesPerSecond = await ChangesAsync();
        await PublishLagAsync(Math.Min(1000, changesPerSecond * 0.8));

        // Last: writing 3.5 million rows leaves PostgreSQL checkpointing and vacuuming for minutes after.
        await ImportAsync();
        return _report.ToString();
    }

    /// <summary>`infra/optout bench console`: the staff console's reads at design size (ConsoleBenchmark).</summary>
    public async Task<string> ConsoleAsync()
    {
        await HeaderAndSeedAsync();
        await new ConsoleBenchmark(role => role == "anonymous" ? new HttpClient { BaseAddress = service } : Client(role), database).RunAsync(Line);
        return _report.ToString();
    }

    /// <summary>`infra/optout bench index|bulk|lookups|changes|lag`: one phase of the system benchmark, for working on it.</summary>
    public async Task<string> PhaseAsync(string phase)
    {
        await HeaderAndSeedAsync();
        switch (phase)
        {
            case "index": await IndexBuildAsync(); break;
            case "bulk": await BulkCheckAsync(); break;
            case "lookups": await LookupsAsync(); break;
            case "changes": await ChangesAsync(); break;
            case "lag": await PublishLagAsync(double.Parse(Environment.GetEnvironmentVariable("OPTOUT_BENCH_LAG_RATE") ?? "1000", Inv)); break;
            case "import": await ImportAsync(); break;
        }

        return _report.ToString();
    }

    private async Task HeaderAndSeedAsync()
    {
        Line($"Machine: {Environment.ProcessorCount} cores ({CpuModel()}), {TotalMemoryGiB():F0} GiB; .NET {Environment.Version}; run {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC.");
        Line("");
        Line("| What | OptOut | Baseline (same run) | Ratio |");
        Line("| --- | --- | --- | --- |");
        await SeedAsync();
        await WarmAsync();
    }

    /// <summary>
    /// Reads the event store's tables and indexes (not the audit trail's 7 GB) into the page cache, as they would be on a
    /// database server in use: otherwise the first runs after a restart measure the disk, while pgbench's scale-10 database,
    /// a twentieth of the size, is always in memory.
    /// </summary>
    private async Task WarmAsync()
    {
        const string dataDirectory = "/var/lib/postgresql/15/main";
        var files = new List<string>();
        await using (var connection = await OpenAsync())
        await using (var command = new NpgsqlCommand(
            "select pg_relation_filepath(c.oid) from pg_class c where c.relnamespace = 'optout'::regnamespace and c.relkind in ('r', 'i', 't') " +
            "and c.relname not like 'audit%'", connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                if (!reader.IsDBNull(0))
                {
                    files.Add(Path.Combine(dataDirectory, reader.GetString(0)));
                }
            }
        }

        var clock = Stopwatch.StartNew();
        long bytes = 0;
        var buffer = new byte[1 << 20];
        foreach (var segment in files.Where(f => Directory.Exists(Path.GetDirectoryName(f))).SelectMany(f => Directory.GetFiles(Path.GetDirectoryName(f)!, Path.GetFileName(f) + "*")))
        {
            await using var stream = File.OpenRead(segment);
            int read;
            while ((read = await stream.ReadAsync(buffer)) > 0)
            {
                bytes += read;
            }
        }

        Console.Error.WriteLine($"warmed: {bytes / 1048576.0:N0} MiB of the event store read in {clock.Elapsed.TotalSeconds:F1} s");
    }

    private async Task SeedAsync()
    {
        var present = await ScalarAsync("select count(*) from optout.mt_doc_patientpreferences where national_data_opt_outopted_out");
        if (present < seed)
        {
            var file = Path.Combine(Path.GetTempPath(), "optout-seed.csv");
            // Seeded by what is there, so a top-up draws new numbers rather than the first run's again.
            var random = new Random((int)present);
            await using (var writer = new StreamWriter(file))
            {
                await writer.WriteLineAsync("nhsNumber,optedOutAt");
                for (var i = present; i < seed; i++)
                {
                    await writer.WriteLineAsync($"{RandomNhsNumber(random)},2021-06-{1 + (i % 28):00}T12:00:00Z");
                }
            }

            var clock = Stopwatch.StartNew();
            using var http = Client("admin");
            var content = new StreamContent(File.OpenRead(file));
            content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            var response = await http.PostAsync("/v1/admin/opt-out-imports", content);
            var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            var imported = report.GetProperty("imported").GetInt64();
            Line($"| Import of {imported:N0} opt-outs (CSV, {new FileInfo(file).Length / 1048576.0:F0} MiB; `infra/optout import` or POST /v1/admin/opt-out-imports) | {clock.Elapsed.TotalSeconds:F0} s, {imported / clock.Elapsed.TotalSeconds:N0} rows/s | | |");
        }

        await using var connection = await OpenAsync();
        var ids = new List<string>(seed);
        await using (var reader = await connection.BeginBinaryExportAsync("COPY (select id from optout.mt_doc_patientpreferences where national_data_opt_outopted_out) TO STDOUT (FORMAT BINARY)"))
        {
            while (await reader.StartRowAsync() != -1)
            {
                ids.Add(await reader.ReadAsync<string>());
            }
        }

        _optedOut = [.. ids];
        Console.Error.WriteLine($"seeded: {_optedOut.Length:N0} opt-outs");
    }

    private Task ImportAsync() =>
        new ImportBenchmark(database, Environment.GetEnvironmentVariable("OPTOUT_API_DLL")!, seed, RandomNhsNumber, Line).RunAsync();

    private async Task IndexBuildAsync()
    {
        var names = new EventStoreNames("optout");
        await using var dataSource = NpgsqlDataSource.Create(database);
        OptOutIndexFollower Follower(OptOutIndex index) =>
            new(dataSource, index, names, new CommittedEvents(names), Options.Create(new OptOutIndexOptions()), NullLogger<OptOutIndexFollower>.Instance);

        // Without a checkpoint (a new store, or one restored from elsewhere): every opt-out from the snapshots.
        var cold = new List<double>();
        long bytes = 0;
        for (var run = 0; run < 3; run++)
        {
            var index = new OptOutIndex();
            var clock = Stopwatch.StartNew();
            await Follower(index).BuildFromSnapshotsAsync(CancellationToken.None);
            cold.Add(clock.Elapsed.TotalSeconds);
            bytes = index.AllocatedBytes;
        }

        cold.Sort();

        async Task<OptOutIndex> BuiltIndexAsync()
        {
            var index = new OptOutIndex();
            await Follower(index).BuildFromSnapshotsAsync(CancellationToken.None);
            return index;
        }

        // Start-up as the service does it: its last checkpoint and the events after it, up to the high-water mark. A running
        // service saves one every 50,000 sequences (or minute), so a crash leaves at most about that much to replay: the
        // checkpoint is moved back that far (its bits are newer, which replaying the same events over them leaves right).
        var checkpoint = new OptOutIndexCheckpoint(dataSource, names);
        await checkpoint.SaveAsync(await BuiltIndexAsync(), CancellationToken.None);
        await using (var connection = await OpenAsync())
        await using (var back = new NpgsqlCommand($"""
            with back as (select seq_id, id from {names.Events} order by seq_id desc offset 50000 limit 1)
            update {checkpoint.Table} set sequence = back.seq_id, last_event_seq = back.seq_id, last_event_id = back.id from back
            """, connection))
        {
            await back.ExecuteNonQueryAsync();
        }

        var times = new List<double>();
        long replayed = 0;
        for (var run = 0; run < 3; run++)
        {
            var index = new OptOutIndex();
            var clock = Stopwatch.StartNew();
            var from = await Follower(index).BuildAsync(CancellationToken.None);
            times.Add(clock.Elapsed.TotalSeconds);
            replayed = index.Sequence - (from ?? index.Sequence);
        }

        times.Sort();

        // The floor: PostgreSQL sending the same opted-out bases over the same kind of connection, read and dropped.
        var floor = new List<double>();
        for (var run = 0; run < 3; run++)
        {
            await using var connection = await OpenAsync();
            var clock = Stopwatch.StartNew();
            await using (var reader = await connection.BeginBinaryExportAsync(
                $"COPY (select left(id, 9)::int from {names.Snapshots} where {names.NationalColumn}) TO STDOUT (FORMAT BINARY)"))
            {
                while (await reader.StartRowAsync() != -1)
                {
                    _ = await reader.ReadAsync<int>();
                }
            }

            floor.Add(clock.Elapsed.TotalSeconds);
        }

        floor.Sort();
        Line($"| Index build at start-up, {_optedOut.Length:N0} opt-outs, from the checkpoint and the {replayed:N0} sequences after it (median of 3) | {times[1]:F2} s | " +
             $"COPY of the same bases, read and dropped: {floor[1]:F2} s | {floor[1] / times[1]:F2}x |");
        Line($"| Index build without a checkpoint, from the snapshots (median of 3) | {cold[1]:F2} s, {bytes / 1048576.0:F0} MiB of bitset | " +
             $"the same COPY: {floor[1]:F2} s | {floor[1] / cold[1]:F2}x |");
    }

    private async Task BulkCheckAsync()
    {
        var file = Path.Combine(Path.GetTempPath(), $"optout-check-{checkSize}.txt");
        var hits = 0;
        var random = new Random(11);
        await using (var writer = new StreamWriter(file, false, new UTF8Encoding(false), 1 << 20))
        {
            for (var i = 0; i < checkSize; i++)
            {
                // About the national rate: 5.5% of the list has an opt-out.
                var optedOut = random.NextDouble() < 0.055;
                hits += optedOut ? 1 : 0;
                await writer.WriteAsync(optedOut ? _optedOut[random.Next(_optedOut.Length)] : RandomNhsNumber(random));
                await writer.WriteAsync('\n');
            }
        }

        var pid = Measure.ServicePid();
        using var http = Client("pipeline");

        // One check to warm the service (its first request runs code the JIT has not yet optimised), then the median of three,
        // as a pipeline sending lists every day would see it.
        long kept = 0;
        var runs = new List<double>();
        for (var run = 0; run < 4; run++)
        {
            var started = Stopwatch.StartNew();
            kept = await CheckAsync();
            runs.Add(started.Elapsed.TotalSeconds);
        }

        Console.Error.WriteLine($"bulk: {string.Join(", ", runs.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))} s (the first warms the service)");
        var optOut = runs.Skip(1).Order().ElementAt(1);
        var peak = pid is { } p ? Measure.PeakMemoryMiB(p) : double.NaN;

        async Task<long> CheckAsync()
        {
            var content = new StreamContent(File.OpenRead(file), 1 << 16);
            content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
            using var response = await http.PostAsync("/v1/opt-out-checks?purpose=research&dataSource=hospital", content, CancellationToken.None);
            response.EnsureSuccessStatusCode();
            long lines = 0;
            await using var body = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[1 << 16];
            int read;
            while ((read = await body.ReadAsync(buffer)) > 0)
            {
                lines += buffer.AsSpan(0, read).Count((byte)'\n');
            }

            return lines;
        }

        // Baseline: the same list through PostgreSQL alone: COPY into a temporary table, anti-join, in order.
        var clock = Stopwatch.StartNew();
        await using var connection = await OpenAsync();
        await using (var create = new NpgsqlCommand("create temporary table check_list (ord bigint, n text)", connection))
        {
            await create.ExecuteNonQueryAsync();
        }

        await using (var import = await connection.BeginBinaryImportAsync("COPY check_list (ord, n) FROM STDIN (FORMAT BINARY)"))
        {
            long ord = 0;
            foreach (var line in File.ReadLines(file))
            {
                await import.StartRowAsync();
                await import.WriteAsync(ord++);
                await import.WriteAsync(line);
            }

            await import.CompleteAsync();
        }

        long baselineKept = 0;
        using (var export = await connection.BeginTextExportAsync(
            "COPY (select n from check_list c where not exists (select 1 from optout.mt_doc_patientpreferences p where p.id = c.n and p.national_data_opt_outopted_out) order by ord) TO STDOUT"))
        {
            while (await export.ReadLineAsync() is not null)
            {
                baselineKept++;
            }
        }

        var baseline = clock.Elapsed.TotalSeconds;
        Console.Error.WriteLine($"bulk: kept {kept:N0} (baseline {baselineKept:N0}), removed about {hits:N0}");
        Line($"| Bulk check of {checkSize:N0} NHS numbers (POST /v1/opt-out-checks, streamed; median of 3 after a warm-up) | {optOut:F2} s, {checkSize / optOut:N0} numbers/s; service peak RSS {peak:N0} MiB; kept {kept:N0} | COPY into a temp table + anti-join + COPY out in order: {baseline:F1} s (kept {baselineKept:N0}) | {baseline / optOut:F1}x faster |");
    }

    private Task LookupsAsync()
    {
        const int connections = 32;
        var wrk = Wrk("lookup.lua", "pipeline", connections);
        var pgbench = PgBench($"-S -c {connections} -j 2 -T {(int)loadTime.TotalSeconds}");
        Line($"| Single status look-ups, {connections} connections (`wrk` GET /v1/opt-outs/{{n}}) | {wrk.Rate:N0} req/s, p50 {wrk.P50:F2} ms, p99 {wrk.P99:F2} ms{wrk.Errors} | `pgbench -S -c {connections} -j 2`: {pgbench.Tps:N0} tps, mean {pgbench.LatencyMs:F2} ms | {wrk.Rate / pgbench.Tps:F2}x |");
        return Task.CompletedTask;
    }

    private Task<double> ChangesAsync()
    {
        const int connections = 16;
        var wrk = Wrk("change.lua", "admin", connections);
        var pgbench = PgBench($"-c {connections} -j 2 -T {(int)loadTime.TotalSeconds}");
        Line($"| Preference changes, {connections} connections (`wrk` PUT national-data-opt-out, each a new patient) | {wrk.Rate:N0} changes/s, p50 {wrk.P50:F1} ms, p99 {wrk.P99:F1} ms{wrk.Errors} | `pgbench` TPC-B `-c {connections} -j 2`: {pgbench.Tps:N0} tps, mean {pgbench.LatencyMs:F1} ms | {wrk.Rate / pgbench.Tps:F2}x |");
        return Task.FromResult(wrk.Rate);
    }

    /// <summary>Seconds of unmeasured load before each measured wrk run (OPTOUT_BENCH_WARMUP; 0 for none).</summary>
    private static readonly int Warmup = int.Parse(Environment.GetEnvironmentVariable("OPTOUT_BENCH_WARMUP") ?? "20", Inv);

    /// <summary>
    /// The same load, unmeasured, before a measured phase (when <c>Warmup</c> is above 0): on two saturated cores the JIT's
    /// tier-1 compiles wait behind the requests, and a profile of a cold 15-second run found the service still in tier-0
    /// code (the JIT 12% of its CPU). Then on until this service's sequencer has signed a map of its own and the map has
    /// caught up with the log (at most 10 minutes): a new leader first reads the map's branches into memory (79 s on the
    /// benchmark store), and runs measured before then shared the machine with that read and the catch-up after it, which
    /// a service in use has long finished. Returns wrk's script directory and environment for the measured run.
    /// </summary>
    private (string Directory, Dictionary<string, string> Environment) WarmUp(string script, string role, int connections)
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "wrk");
        var token = TokenCommand.Mint(signingKey, new Dictionary<string, object> { ["role"] = role, ["sub"] = "bench-" + role }, TimeSpan.FromHours(2));
        var environment = new Dictionary<string, string> { ["OPTOUT_TOKEN"] = token, ["OPTOUT_WRK_DIR"] = directory };
        if (Warmup > 0)
        {
            var mapBefore = MapSize();
            Measure.Run("wrk", $"-t2 -c{connections} -d{Warmup}s -s {Path.Combine(directory, script)} {service}", environment);
            for (var round = 0; round < 60 && (MapSize() == mapBefore || MapLag() > 20_000); round++)
            {
                Measure.Run("wrk", $"-t2 -c{connections} -d10s -s {Path.Combine(directory, script)} {service}", environment);
            }
        }

        return (directory, environment);
    }

    /// <summary>Drives the service with wrk (C, like pgbench's client) so the load generator costs little of the two cores.</summary>
    private (double Rate, double P50, double P99, string Errors) Wrk(string script, string role, int connections)
    {
        var (directory, environment) = WarmUp(script, role, connections);
        var output = Measure.Run("wrk", $"-t2 -c{connections} -d{(int)loadTime.TotalSeconds}s --latency -s {Path.Combine(directory, script)} {service}", environment);
        var lines = output.Split('\n').Select(l => l.Trim()).ToList();
        double Millis(string percentile)
        {
            var value = lines.First(l => l.StartsWith(percentile, StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
            var number = double.Parse(value.TrimEnd('s', 'm', 'u'), Inv);
            return value.EndsWith("us", StringComparison.Ordinal) ? number / 1000 : value.EndsWith("ms", StringComparison.Ordinal) ? number : number * 1000;
        }

        var rate = double.Parse(lines.First(l => l.StartsWith("Requests/sec:", StringComparison.Ordinal)).Split(':')[1].Trim(), Inv);
        var errors = lines.FirstOrDefault(l => l.StartsWith("Non-2xx", StringComparison.Ordinal));
        return (rate, Millis("50%"), Millis("99%"), errors is null ? "" : $" ({errors})");
    }

    /// <summary>The size of the patient map the latest checkpoint signs (a line of the checkpoint's note), and how far it lags the log.</summary>
    private long MapSize() => ScalarAsync(LatestCheckpoint(SignedMapSize)).GetAwaiter().GetResult();

    private long MapLag() => ScalarAsync(LatestCheckpoint($"size - {SignedMapSize}")).GetAwaiter().GetResult();

    private const string SignedMapSize = "coalesce(substring(note from E'\\nmap ([0-9]+) ')::bigint, 0)";

    private static string LatestCheckpoint(string column) =>
        $"select coalesce((select {column} from optout.audit_log_checkpoints order by size desc limit 1), 0)";

    private async Task PublishLagAsync(double rate)
    {
        // Warmed as the changes phase is (which, in the full run, this follows): a cold service's first seconds, or a
        // new leader reading its map in, are not the lag a service in use shows.
        WarmUp("change.lua", "admin", 16);
        var factory = new ConnectionFactory { Uri = broker };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        const string exchange = "OptOut.Contracts.V1:NationalDataOptOutChanged";
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true);
        var queue = (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true)).QueueName;
        await channel.QueueBindAsync(queue, exchange, "");
        var arrived = new ConcurrentDictionary<string, long>();
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            var now = Stopwatch.GetTimestamp();
            using var json = JsonDocument.Parse(delivery.Body);
            var message = json.RootElement.GetProperty("message");
            arrived.TryAdd($"{message.GetProperty("nhsNumber").GetString()}:{message.GetProperty("streamVersion").GetInt64()}", now);
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue, autoAck: true, consumer);

        var committed = new ConcurrentDictionary<string, long>();
        var total = (int)(rate * 10);
        using var http = Client("admin", 64);
        var start = Stopwatch.GetTimestamp();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 64).Select(w => Task.Run(async () =>
        {
            var random = new Random();
            int i;
            while ((i = Interlocked.Increment(ref next)) < total)
            {
                // Paced: change i is due at i / rate seconds.
                var due = TimeSpan.FromSeconds(i / rate) - Stopwatch.GetElapsedTime(start);
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due);
                }

                var nhs = RandomNhsNumber(random);
                using var response = await http.PutAsync($"/v1/patients/{nhs}/national-data-opt-out",
                    new StringContent("{\"optedOut\":true,\"channel\":\"online\",\"patientBirthDate\":\"1980-06-15\"}", Encoding.UTF8, "application/json"));
                // Only a change that appended an event (OptOut-Sequence) is published; a number the seed already
                // opted out is a no-op. The message carries the stream version the ETag names.
                if (response.IsSuccessStatusCode && response.Headers.Contains("OptOut-Sequence"))
                {
                    committed[$"{nhs}:{response.Headers.ETag!.Tag.Trim('"')}"] = Stopwatch.GetTimestamp();
                }
            }
        })));
        var achieved = total / Stopwatch.GetElapsedTime(start).TotalSeconds;

        var wait = Stopwatch.StartNew();
        while (committed.Keys.Any(k => !arrived.ContainsKey(k)) && wait.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(200);
        }

        var lags = committed.Where(c => arrived.ContainsKey(c.Key))
            .Select(c => Math.Max(0, Stopwatch.GetElapsedTime(c.Value, arrived[c.Key]).TotalMilliseconds)).Order().ToList();
        Line($"| Publish lag, commit (2xx) to message on a RabbitMQ queue, {total:N0} changes paced at {rate:N0}/s (achieved {achieved:N0}/s) | p50 {Measure.Percentile(lags, 50):F0} ms, p99 {Measure.Percentile(lags, 99):F0} ms; {lags.Count:N0} of the {committed.Count:N0} that appended an event arrived | | |");
    }

    private (double Tps, double LatencyMs) PgBench(string arguments)
    {
        var builder = new NpgsqlConnectionStringBuilder(database);
        var env = new Dictionary<string, string> { ["PGPASSWORD"] = builder.Password ?? "" };
        var common = $"-h {builder.Host} -p {builder.Port} -U {builder.Username}";
        try
        {
            Measure.Run("/usr/lib/postgresql/15/bin/pgbench", $"{common} -n -S -T 1 optout_pgbench", env);
        }
        catch (InvalidOperationException)
        {
            Measure.Run("/usr/lib/postgresql/15/bin/createdb", $"{common} optout_pgbench", env);
            Measure.Run("/usr/lib/postgresql/15/bin/pgbench", $"{common} -i -s 10 -q optout_pgbench", env);
        }

        var output = Measure.Run("/usr/lib/postgresql/15/bin/pgbench", $"{common} -n {arguments} optout_pgbench", env);
        double Field(string prefix) => double.Parse(output.Split('\n').First(l => l.StartsWith(prefix, StringComparison.Ordinal))
            .Split('=')[1].Trim().Split(' ')[0], Inv);
        return (Field("tps"), Field("latency average"));
    }

    private string RandomNhsNumber() => RandomNhsNumber(_random);

    /// <summary>A valid number in the English ranges (400-499 and 600-799 million).</summary>
    private static string RandomNhsNumber(Random random)
    {
        while (true)
        {
            var b = random.Next(0, 300_000_000);
            b += b < 100_000_000 ? 400_000_000 : 500_000_000;
            if (NhsNumber.TryFromBase(b, out var n))
            {
                return n.Value;
            }
        }
    }

    private HttpClient Client(string role, int connections = 2)
    {
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections }) { BaseAddress = service, Timeout = TimeSpan.FromMinutes(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            TokenCommand.Mint(signingKey, new Dictionary<string, object> { ["role"] = role, ["sub"] = "bench-" + role }, TimeSpan.FromHours(2)));
        return http;
    }

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        return connection;
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), Inv);
    }

    private void Line(string text)
    {
        _report.AppendLine(text);
        Console.Error.WriteLine(text);
    }

    private static string CpuModel() =>
        File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':')[1].Trim() ?? "unknown CPU";

    private static double TotalMemoryGiB() =>
        double.Parse(File.ReadLines("/proc/meminfo").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], Inv) / 1048576;
}
