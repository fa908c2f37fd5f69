using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using OptOut.Audit.Transparency;
using OptOut.Contracts.Audit;
using OptOut.IntegrationTests.Faults;
using OptOut.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace OptOut.IntegrationTests.Audit;

/// <summary>
/// The audit log with its witness, all as real processes: two service instances, the sequencer killed and taken over,
/// and a witness that cosigns only a log that grows, refusing a fork offered by someone holding the log's own key.
/// </summary>
public class WitnessTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_witness_cosigns_the_log_across_a_sequencer_handover_and_refuses_a_fork()
    {
        await using var scenario = await FaultScenario.CreateAsync();
        using var logKey = new LogKey(Options.Create(new TransparencyLogOptions { SigningKeyPem = scenario.Settings.LogSigningKeyPem }));
        await using var witness = await WitnessProcess.StartAsync(logKey.VerifierKey);
        var overrides = new Dictionary<string, string>
        {
            ["Audit:Log:Witnesses:0:Url"] = witness.Address.ToString(),
            ["Audit:Log:Witnesses:0:VerifierKey"] = witness.VerifierKey,
            ["Audit:Log:WitnessInterval"] = "00:00:00.200",
        };
        var first = await scenario.StartServiceAsync("optout-a", overrides);
        var second = await scenario.StartServiceAsync("optout-b", overrides);
        await LookUpAsync([first, second], 40);
        var before = await CosignedCheckpointAsync(first, logKey, witness, atLeast: 40);

        // Kill whichever instance sequences the log; the other takes the lead and the witness still cosigns, as it
        // checks the new leader's checkpoints extend the old leader's.
        var sequencing = await scenario.Database.ListAsync(
            "select distinct a.application_name from pg_locks l join pg_stat_activity a on a.pid = l.pid " +
            "where l.locktype = 'advisory' and l.granted and a.datname = current_database() and l.objsubid = 1 " +
            $"and (l.classid::bigint << 32) | l.objid::bigint = {LogSequencer.LeaderLock}", r => r.GetString(0));
        var (leader, survivor) = Assert.Single(sequencing) == first.Name ? (first, second) : (second, first);
        await leader.KillAsync();
        await LookUpAsync([survivor], 40);
        var after = await CosignedCheckpointAsync(survivor, logKey, witness, atLeast: before.Size + 40);

        var proof = await survivor.As("dpo").GetAsync($"/v1/audit/log/proofs/consistency?from={before.Size}&to={after.Size}").JsonAsync();
        Assert.True(LogProofs.VerifyConsistency(before.Size, after.Size, before.Root, after.Root,
            [.. proof.GetProperty("hashes").EnumerateArray().Select(h => Convert.FromBase64String(h.GetString()!))]));
        await FaultScenario.AssertAuditIntactAsync(survivor);
        // Nothing lost or doubled across the handover: entries 1..n, each once, and the tree over exactly them.
        Assert.Equal(await scenario.Database.ScalarAsync<long>("select count(*) from optout.audit_entries"),
            await scenario.Database.ScalarAsync<long>("select max(seq) from optout.audit_entries"));
        await survivor.KillAsync();

        // Someone with the log's key shows the witness another history: a checkpoint of the size it cosigned with
        // another root, then a larger one that does not extend it. Both are refused, and the fork is kept as evidence.
        using var client = new HttpClient { BaseAddress = witness.Address };
        var conflict = await client.PostAsync("add-checkpoint", Body(0, [], logKey.Sign(new LogCheckpoint(logKey.Origin, 1, new byte[32]))));
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        var witnessed = long.Parse(await conflict.Content.ReadAsStringAsync(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(witnessed >= after.Size);

        var fork = await client.PostAsync("add-checkpoint", Body(witnessed, [], logKey.Sign(new LogCheckpoint(logKey.Origin, witnessed, LogProofs.LeafHash([1])))));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, fork.StatusCode);
        // The same size and root with another patient map is another history too: each patient could be shown their own.
        var witnessedRoot = await scenario.Database.ScalarAsync<byte[]>($"select root from optout.audit_log_checkpoints where size = {witnessed}");
        var otherMap = await client.PostAsync("add-checkpoint", Body(witnessed, [], logKey.Sign(new LogCheckpoint(logKey.Origin, witnessed, witnessedRoot, new MapCommitment(1, new byte[32])))));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, otherMap.StatusCode);
        var rewrite = await client.PostAsync("add-checkpoint", Body(witnessed, [new byte[32]], logKey.Sign(new LogCheckpoint(logKey.Origin, witnessed + 5, new byte[32]))));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, rewrite.StatusCode);
        using var thief = new LogKey(Options.Create(new TransparencyLogOptions()));
        var foreign = await client.PostAsync("add-checkpoint", Body(witnessed, [], thief.Sign(new LogCheckpoint(thief.Origin, witnessed + 5, new byte[32]))));
        Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
        // Text no log signed is not repeated back unless plain; a body that is not an offer at all is a 400.
        var unknown = await client.PostAsync("add-checkpoint", new StringContent("old 0\n\n<script>\u0007</script>\n1\nAA==\n"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("This witness does not witness that log.\n", await unknown.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("add-checkpoint", new StringContent("cosign this, please"))).StatusCode);
        // One pair of checkpoints proves the fork: three refused offers from one cosigned checkpoint keep one file.
        Assert.Single(Directory.GetFiles(witness.StateDirectory), f => Path.GetFileName(f).StartsWith("fork-", StringComparison.Ordinal));
        Assert.Contains("FORK", witness.Output, StringComparison.Ordinal);
        output.WriteLine($"cosigned {before.Size} then {after.Size} entries across the handover from {leader.Name} to {survivor.Name}");
    }

    [Fact]
    public async Task A_log_behind_what_its_witness_cosigned_raises_the_alarm_and_gets_no_cosignature()
    {
        // The witness cosigned this log (its key) at a size the log no longer reaches: the database restored from an
        // older backup, say, or the witness shown a longer history than the one the service keeps.
        await using var scenario = await FaultScenario.CreateAsync();
        using var logKey = new LogKey(Options.Create(new TransparencyLogOptions { SigningKeyPem = scenario.Settings.LogSigningKeyPem }));
        await using var witness = await WitnessProcess.StartAsync(logKey.VerifierKey);
        using (var client = new HttpClient { BaseAddress = witness.Address })
        {
            var ahead = await client.PostAsync("add-checkpoint", Body(0, [], logKey.Sign(new LogCheckpoint(logKey.Origin, 1_000_000, new byte[32]))));
            Assert.Equal(HttpStatusCode.OK, ahead.StatusCode);
        }

        var service = await scenario.StartServiceAsync("optout-behind", new Dictionary<string, string>
        {
            ["Audit:Log:Witnesses:0:Url"] = witness.Address.ToString(),
            ["Audit:Log:Witnesses:0:VerifierKey"] = witness.VerifierKey,
            ["Audit:Log:WitnessInterval"] = "00:00:00.200",
        });
        await LookUpAsync([service], 10);

        await FaultScenario.WaitUntilAsync(() => service.Output.Contains("has cosigned this log at size 1000000", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60), "the service reports its witness is ahead of the log");
        Assert.Equal(1, CountOf(service.Output, "has cosigned this log at size 1000000"));
        Assert.Equal(0, await scenario.Database.ScalarAsync<long>("select count(*) from optout.audit_log_cosignatures"));
    }

    [Fact]
    public async Task A_patients_download_carries_the_witnesss_cosignature_while_newer_checkpoints_await_theirs()
    {
        await using var scenario = await FaultScenario.CreateAsync();
        using var logKey = new LogKey(Options.Create(new TransparencyLogOptions { SigningKeyPem = scenario.Settings.LogSigningKeyPem }));
        await using var witness = await WitnessProcess.StartAsync(logKey.VerifierKey);
        var service = await scenario.StartServiceAsync("optout-witnessed", new Dictionary<string, string>
        {
            ["Audit:Log:Witnesses:0:Url"] = witness.Address.ToString(),
            ["Audit:Log:Witnesses:0:VerifierKey"] = witness.VerifierKey,
            ["Audit:Log:WitnessInterval"] = "00:00:03",
        });
        var nhs = TestPatients.NewNhsNumber();
        var pipeline = service.As("pipeline");
        for (var attempt = 1; ; attempt++)
        {
            for (var i = 0; i < 5; i++)
            {
                Assert.Equal(HttpStatusCode.OK, (await pipeline.GetAsync($"/v1/opt-outs/{nhs}")).StatusCode);
            }

            var cosigned = await CosignedCheckpointAsync(service, logKey, witness, atLeast: 5 * attempt);

            // The log signs newer checkpoints within a quarter of a second; the witness sees them up to 3 s later.
            Assert.Equal(HttpStatusCode.OK, (await pipeline.GetAsync($"/v1/opt-outs/{nhs}")).StatusCode);
            await FaultScenario.WaitUntilAsync(
                () => scenario.Database.ScalarAsync<long>("select max(size) from optout.audit_log_checkpoints").GetAwaiter().GetResult() > cosigned.Size,
                TimeSpan.FromSeconds(10), "a checkpoint newer than the cosigned one");
            var latest = await scenario.Database.ScalarAsync<long>("select max(size) from optout.audit_log_checkpoints");
            var history = JsonDocument.Parse(await service.As("patient", nhs).GetStringAsync($"/v1/patients/{nhs}/access-log/proof")).RootElement;
            var note = history.GetProperty("checkpoint").GetString()!;
            var body = SignedNote.Verify(note, logKey.Origin, logKey.PublicKey)!;
            Assert.Contains(note.Split('\n'), line => Cosignature.Verify(line + "\n", body, witness.VerifierKey) is not null);
            if (history.GetProperty("checkpointSize").GetInt64() < latest)
            {
                return; // an uncosigned newer checkpoint existed, and the download took the cosigned one
            }

            // The witness cosigned the newest in between: try again.
            Assert.True(attempt < 3, "the witness cosigned every newer checkpoint before the download three times running");
        }
    }

    private static int CountOf(string text, string what) => (text.Length - text.Replace(what, "", StringComparison.Ordinal).Length) / what.Length;

    private static async Task LookUpAsync(IReadOnlyList<ServiceProcess> services, int count)
    {
        for (var i = 0; i < count; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await services[i % services.Count].As("pipeline").GetAsync($"/v1/opt-outs/{TestPatients.NewNhsNumber()}")).StatusCode);
        }
    }

    /// <summary>The latest checkpoint once it is at least this big and carries the witness's cosignature.</summary>
    private static async Task<LogCheckpoint> CosignedCheckpointAsync(ServiceProcess service, LogKey logKey, WitnessProcess witness, long atLeast)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var client = service.As("dpo");
        while (true)
        {
            using var response = await client.GetAsync("/v1/audit/log/checkpoint");
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                // Nothing signed yet: the sequencer's first checkpoint is a moment away.
                Assert.True(DateTime.UtcNow < deadline, "the log never signed a checkpoint");
                await Task.Delay(100);
                continue;
            }

            var note = await response.EnsureSuccessStatusCode().Content.ReadAsStringAsync();
            var body = SignedNote.Verify(note, logKey.Origin, logKey.PublicKey);
            Assert.NotNull(body);
            var checkpoint = LogCheckpoint.Parse(body)!;
            var cosigned = note.Split('\n').Any(line => Cosignature.Verify(line + "\n", body, witness.VerifierKey) is not null);
            if (checkpoint.Size >= atLeast && cosigned)
            {
                return checkpoint;
            }

            Assert.True(DateTime.UtcNow < deadline, $"no cosigned checkpoint of {atLeast} entries; the witness said:\n{witness.Output}");
            await Task.Delay(100);
        }
    }

    private static StringContent Body(long old, byte[][] proof, string note) =>
        new($"old {old}\n{string.Concat(proof.Select(p => Convert.ToBase64String(p) + "\n"))}\n{note}", Encoding.UTF8, "text/plain");
}
