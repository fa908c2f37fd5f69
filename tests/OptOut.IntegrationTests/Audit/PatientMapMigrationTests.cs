using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Npgsql;
using OptOut.Audit.Transparency;
using OptOut.Contracts.Audit;
using OptOut.IntegrationTests.Faults;
using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.Audit;

/// <summary>
/// A log signed before the patient map existed (its checkpoints with no map line, no map stored), as a service of the
/// earlier version left it: the next sequencer builds the map over every entry already signed, the old checkpoints
/// still verify, and a patient's history from before then proves complete. And a map larger than the sequencer's memory
/// of it is built as one it holds whole.
/// </summary>
public class PatientMapMigrationTests
{
    [Fact]
    public async Task A_log_from_before_the_map_gets_a_map_of_every_entry_and_its_old_checkpoints_still_verify()
    {
        await using var scenario = await FaultScenario.CreateAsync();
        using var logKey = new LogKey(Options.Create(new TransparencyLogOptions { SigningKeyPem = scenario.Settings.LogSigningKeyPem }));
        var nhs = TestPatients.NewNhsNumber();
        var before = await scenario.StartServiceAsync("optout-before");
        await before.As("patient", nhs).PutOptOutAsync(nhs, new { optedOut = true, channel = "online" }).JsonAsync();
        await LookUpAsync(before, 10, nhs, every: 3);

        var signed = await CoveredAsync(scenario, await scenario.Database.ScalarAsync<long>("select max(seq) from optout.audit_entries"), mapped: false);
        await before.KillAsync();
        await UnmapAsync(scenario, logKey);

        var after = await scenario.StartServiceAsync("optout-after");
        await after.As("pipeline").GetAsync($"/v1/opt-outs/{nhs}");
        var latest = await CoveredAsync(scenario, await scenario.Database.ScalarAsync<long>("select max(seq) from optout.audit_entries"), mapped: true, after);
        Assert.True(latest > signed);

        await AssertHistoryProvesCompleteAsync(after, nhs, logKey);
    }

    [Fact]
    public async Task A_long_catch_up_of_the_map_is_signed_a_step_at_a_time()
    {
        // A log of three checkpoints signed before the map existed, built over by a sequencer that merges one entry a
        // step: it stops at each checkpoint's size (where a verifier can check the map), and the next checkpoint signs
        // each stop, so a leader that stops part way through a long catch-up leaves what it did for the next.
        await using var scenario = await FaultScenario.CreateAsync();
        using var logKey = new LogKey(Options.Create(new TransparencyLogOptions { SigningKeyPem = scenario.Settings.LogSigningKeyPem }));
        var nhs = TestPatients.NewNhsNumber();
        var before = await scenario.StartServiceAsync("optout-before");
        long signed = 0;
        for (var round = 0; round < 3; round++)
        {
            await LookUpAsync(before, 10, nhs, every: 3);

            signed = await CoveredAsync(scenario, await scenario.Database.ScalarAsync<long>("select max(seq) from optout.audit_entries"), mapped: false);
        }

        await before.KillAsync();
        await UnmapAsync(scenario, logKey);

        // The sequencer is held off until entries are coming, or it could finish all three steps unseen while the
        // service starts.
        await using var holder = new NpgsqlConnection(scenario.Database.ConnectionString);
        await holder.OpenAsync();
        await using (var hold = new NpgsqlCommand($"select pg_advisory_lock({LogSequencer.LeaderLock})", holder))
        {
            await hold.ExecuteNonQueryAsync();
        }

        var after = await scenario.StartServiceAsync("optout-after", new Dictionary<string, string> { ["Audit:Log:MapStepEntries"] = "1" });
        // Entries all the while, from before the sequencer may lead: a checkpoint is signed, with the map reached by
        // then, only when the log has grown. (A round of the sequencer without an entry once let the builder's next
        // stop replace one not yet signed, seen twice in CI; the sequencer now takes a stop only once the one before
        // is signed.)
        using var stop = new CancellationTokenSource();
        var entries = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                (await after.As("pipeline").GetAsync($"/v1/opt-outs/{TestPatients.NewNhsNumber()}")).Dispose();
                // Sparser than the sequencer's rounds (100 ms), so most rounds have nothing to sign: each stop must
                // still wait to be signed rather than be passed.
                await Task.Delay(300);
            }
        });
        await Task.Delay(500);
        List<long> maps = [];
        await FaultScenario.WaitUntilAsync(() =>
        {
            if (holder.State == System.Data.ConnectionState.Open)
            {
                using var release = new NpgsqlCommand("select pg_advisory_unlock_all()", holder);
                release.ExecuteNonQuery();
                holder.Close();
            }

            maps = [.. scenario.Database.ListAsync("select note from optout.audit_log_checkpoints order by size", r => r.GetString(0)).GetAwaiter().GetResult()
                .Select(note => LogCheckpoint.Parse(SignedNote.Verify(note, logKey.Origin, logKey.PublicKey)!)!.Map?.Size).OfType<long>().Distinct()];
            return maps.Count > 0 && maps[^1] >= signed;
        }, TimeSpan.FromSeconds(60), $"a map over the {signed} entries signed before it");
        await stop.CancelAsync();
        await entries;

        Assert.True(maps.Count >= 2 && maps[0] < signed, $"maps signed over {string.Join(", ", maps)} entries; the log held {signed} before the map");
        Assert.Equal(maps.Order(), maps);
        await AssertHistoryProvesCompleteAsync(after, nhs, logKey);
    }

    [Fact]
    public async Task A_map_stored_before_nodes_had_versions_becomes_version_0_and_its_patients_still_prove_complete()
    {
        await using var scenario = await FaultScenario.CreateAsync();
        using var logKey = new LogKey(Options.Create(new TransparencyLogOptions { SigningKeyPem = scenario.Settings.LogSigningKeyPem }));
        var nhs = TestPatients.NewNhsNumber();
        var before = await scenario.StartServiceAsync("optout-before");
        await LookUpAsync(before, 12, nhs, every: 3);

        var mapped = await CoveredAsync(scenario, await scenario.Database.ScalarAsync<long>("select max(seq) from optout.audit_entries"), mapped: true, before);
        await before.KillAsync();
        var nodes = await UnversionAsync(scenario);

        var after = await scenario.StartServiceAsync("optout-after");
        Assert.Equal(nodes, await scenario.Database.ScalarAsync<long>("select count(*) from optout.audit_map where version = 0"));
        await after.As("pipeline").GetAsync($"/v1/opt-outs/{nhs}");
        var latest = await CoveredAsync(scenario, await scenario.Database.ScalarAsync<long>("select max(seq) from optout.audit_entries"), mapped: true, after);
        Assert.True(latest > mapped);
        Assert.True(await scenario.Database.ScalarAsync<long>("select count(*) from optout.audit_map where version > 0") > 0, "the map grew on under versions");

        await AssertHistoryProvesCompleteAsync(after, nhs, logKey);
    }

    [Fact]
    public async Task A_sequencer_that_remembers_only_part_of_the_map_reads_the_rest_and_builds_it_right()
    {
        // 40 nodes: every merge after the first few drops leaves and deep branches and must read them back by locator.
        await using var scenario = await FaultScenario.CreateAsync();
        using var logKey = new LogKey(Options.Create(new TransparencyLogOptions { SigningKeyPem = scenario.Settings.LogSigningKeyPem }));
        var nhs = TestPatients.NewNhsNumber();
        var service = await scenario.StartServiceAsync("optout-small-map", new Dictionary<string, string> { ["Audit:Log:MapCacheNodes"] = "40" });
        for (var round = 0; round < 4; round++)
        {
            await LookUpAsync(service, 15, nhs, every: 5);

            await CoveredAsync(scenario, await scenario.Database.ScalarAsync<long>("select max(seq) from optout.audit_entries"), mapped: true, service);
        }

        // Over 40 patients make a map of over 80 nodes, twice what the builder may keep.
        Assert.True(await scenario.Database.ScalarAsync<long>("select count(distinct nhs_number) from optout.audit_entries") > 40);
        await AssertHistoryProvesCompleteAsync(service, nhs, logKey);
    }

    [Fact]
    public async Task The_sequencer_remembers_the_map_it_builds_on_not_every_map_before_it()
    {
        // Look-ups of the same few patients, merged in many steps: each step replaces their paths.
        await using var scenario = await FaultScenario.CreateAsync();
        var patients = Enumerable.Range(0, 3).Select(_ => TestPatients.NewNhsNumber()).ToArray();
        var service = await scenario.StartServiceAsync("optout-map-memory", new Dictionary<string, string> { ["Logging:LogLevel:OptOut.Audit.Transparency"] = "Debug" });
        for (var round = 0; round < 5; round++)
        {
            foreach (var nhs in patients)
            {
                await LookUpAsync(service, 2, nhs, every: 1);
            }

            await CoveredAsync(scenario, await scenario.Database.ScalarAsync<long>("select max(seq) from optout.audit_entries"), mapped: true, service);
        }

        // The last merge's line: "Patient map <size>: ... ; <n> cached". A map of P patients has P leaves and P - 1 branches.
        var merges = System.Text.RegularExpressions.Regex.Matches(service.Output, @"Patient map (\d+): .*?; (\d+) cached");
        Assert.True(merges.Count >= 5, $"{merges.Count} merges logged");
        var (size, cached) = (long.Parse(merges[^1].Groups[1].Value), long.Parse(merges[^1].Groups[2].Value));
        var mapped = await scenario.Database.ScalarAsync<long>($"select count(distinct nhs_number) from optout.audit_entries where seq <= {size}");
        Assert.Equal(2 * mapped - 1, cached);
        using var logKey = new LogKey(Options.Create(new TransparencyLogOptions { SigningKeyPem = scenario.Settings.LogSigningKeyPem }));
        await AssertHistoryProvesCompleteAsync(service, patients[0], logKey);
    }

    /// <summary><paramref name="count"/> audited look-ups by a pipeline, every <paramref name="every"/>th of <paramref name="nhs"/> and the rest of new patients.</summary>
    private static async Task LookUpAsync(ServiceProcess service, int count, string nhs, int every)
    {
        for (var i = 0; i < count; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await service.As("pipeline").GetAsync($"/v1/opt-outs/{(i % every == 0 ? nhs : TestPatients.NewNhsNumber())}")).StatusCode);
        }
    }

    /// <summary>
    /// The patient's downloaded history proves complete against the latest checkpoint's map, and the service's own
    /// verifier finds the trail, the log and the stored map intact.
    /// </summary>
    private static async Task AssertHistoryProvesCompleteAsync(ServiceProcess after, string nhs, LogKey logKey)
    {
        await FaultScenario.AssertAuditIntactAsync(after);
        var history = JsonDocument.Parse(await after.As("patient", nhs).GetStringAsync($"/v1/patients/{nhs}/access-log/proof")).RootElement;
        var checkpoint = LogCheckpoint.Parse(SignedNote.Verify(history.GetProperty("checkpoint").GetString()!, logKey.Origin, logKey.PublicKey)!)!;
        var map = history.GetProperty("map")[0];
        var leaf = map.GetProperty("leaf");
        var proof = new MapProof(
            [.. map.GetProperty("path").EnumerateArray().Select(s => (s.GetProperty("depth").GetInt32(), Convert.FromBase64String(s.GetProperty("sibling").GetString()!)))],
            new MapLeaf(Convert.FromBase64String(leaf.GetProperty("key").GetString()!), leaf.GetProperty("entries").GetInt64(), Convert.FromBase64String(leaf.GetProperty("head").GetString()!)));
        var folded = PatientMap.Fold(PatientMap.Key(nhs), proof)!.Value;
        Assert.Equal(checkpoint.Map!.Root, folded.Root);
        var entries = history.GetProperty("entries").EnumerateArray()
            .Where(e => e.GetProperty("sequence").GetInt64() <= checkpoint.Map.Size)
            .Select(e => (e.GetProperty("sequence").GetInt64() - 1, LogProofs.LeafHash(Convert.FromHexString(e.GetProperty("hash").GetString()!)))).ToList();
        Assert.True(entries.Count >= 5, $"{entries.Count} entries");
        Assert.Equal(entries.Count, folded.Entries);
        Assert.Equal(PatientMap.HeadOf(entries), folded.Head);
    }

    /// <summary>
    /// The map's table as the version before this one stored it: keyed by hash alone, without versions (a root stored
    /// again under a later version kept once). Returns how many nodes it holds.
    /// </summary>
    private static async Task<long> UnversionAsync(FaultScenario scenario)
    {
        await using var connection = new NpgsqlConnection(scenario.Database.ConnectionString);
        await connection.OpenAsync();
        await using var batch = new NpgsqlBatch(connection);
        foreach (var sql in new[]
                 {
                     "alter table optout.audit_map disable trigger user",
                     "delete from optout.audit_map a using optout.audit_map b where a.hash = b.hash and a.version > b.version",
                     "alter table optout.audit_map drop constraint audit_map_pkey",
                     "alter table optout.audit_map drop column version, drop column left_version, drop column right_version",
                     "alter table optout.audit_map add primary key (hash)",
                     "alter table optout.audit_map enable trigger user",
                 })
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(sql));
        }

        await batch.ExecuteNonQueryAsync();
        return await scenario.Database.ScalarAsync<long>("select count(*) from optout.audit_map");
    }

    /// <summary>Every checkpoint re-signed without its map line and the map's nodes gone: the log as the earlier version signed it.</summary>
    private static async Task UnmapAsync(FaultScenario scenario, LogKey logKey)
    {
        await using var connection = new NpgsqlConnection(scenario.Database.ConnectionString);
        await connection.OpenAsync();
        var rows = await scenario.Database.ListAsync("select size, root from optout.audit_log_checkpoints", r => (r.GetInt64(0), (byte[])r[1]));
        await using var batch = new NpgsqlBatch(connection);
        foreach (var sql in new[] { "alter table optout.audit_log_checkpoints disable trigger user", "alter table optout.audit_map disable trigger user", "delete from optout.audit_map" })
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(sql));
        }

        foreach (var (size, root) in rows)
        {
            var update = new NpgsqlBatchCommand("update optout.audit_log_checkpoints set note = @note where size = @size");
            update.Parameters.AddWithValue("note", logKey.Sign(new LogCheckpoint(logKey.Origin, size, root)));
            update.Parameters.AddWithValue("size", size);
            batch.BatchCommands.Add(update);
        }

        batch.BatchCommands.Add(new NpgsqlBatchCommand("alter table optout.audit_log_checkpoints enable trigger user"));
        batch.BatchCommands.Add(new NpgsqlBatchCommand("alter table optout.audit_map enable trigger user"));
        await batch.ExecuteNonQueryAsync();
        Assert.Equal(0, await scenario.Database.ScalarAsync<long>("select count(*) from optout.audit_log_checkpoints where note like '%\nmap %'"));
    }

    /// <summary>The size of the latest checkpoint once one covers entry <paramref name="sequence"/> (with its patient map, if <paramref name="mapped"/>).</summary>
    private static async Task<long> CoveredAsync(FaultScenario scenario, long sequence, bool mapped, ServiceProcess? nudge = null)
    {
        long size = 0;
        await FaultScenario.WaitUntilAsync(() =>
        {
            var notes = scenario.Database.ListAsync("select size, note from optout.audit_log_checkpoints order by size desc limit 1", r => (r.GetInt64(0), r.GetString(1))).GetAwaiter().GetResult();
            var (latest, note) = notes.Count == 0 ? (0, "") : notes[0];
            size = latest;
            // No checkpoint yet (the first poll can come before the sequencer's first): nothing covered.
            var covered = mapped ? (SignedNote.Parse(note) is { } signed ? LogCheckpoint.Parse(signed.Text)?.Map?.Size ?? 0 : 0) : latest;
            // A checkpoint signs the map finished before it: another use makes the next one.
            nudge?.As("pipeline").GetAsync($"/v1/opt-outs/{TestPatients.NewNhsNumber()}").GetAwaiter().GetResult();
            return covered >= sequence;
        }, TimeSpan.FromSeconds(60), $"a checkpoint covering entry {sequence}{(mapped ? " with its patient map" : "")}");
        return size;
    }
}
