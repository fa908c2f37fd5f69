using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OptOut.Contracts.Audit;
using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.Audit;

/// <summary>
/// The audit trail as a transparency log, checked as an outsider would: only the published key, the signed checkpoint
/// and the proofs the API serves, against entries as the database holds them.
/// </summary>
[Collection(OptOutServiceGroup.Name)]
public class TransparencyLogTests(OptOutService service)
{
    [Fact]
    public async Task The_checkpoint_is_a_C2SP_signed_note_that_the_published_key_verifies_without_sign_in()
    {
        await service.As("pipeline").GetAsync($"/v1/opt-outs/{TestPatients.NewNhsNumber()}");
        var (size, root) = await SignedCheckpointAsync(1);

        Assert.True(size >= 1);
        Assert.Equal(LogProofs.HashSize, root.Length);
        var anonymous = service.CreateClient();
        var latest = await anonymous.GetAsync("/v1/audit/log/checkpoint");
        Assert.Equal("text/plain", latest.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/v1/audit/log/checkpoint?size=999999999")).StatusCode);
    }

    [Fact]
    public async Task Every_entry_is_included_in_the_signed_checkpoint_and_later_checkpoints_extend_earlier_ones()
    {
        // Past 256 entries, so proofs use the stored subtrees as well as the entries themselves.
        var (earlySize, earlyRoot) = await SignedCheckpointAsync(1);
        var pipeline = service.As("pipeline");
        for (var i = 0; i < 300; i++)
        {
            await pipeline.GetAsync($"/v1/opt-outs/{TestPatients.NewNhsNumber()}");
        }

        var (size, root) = await SignedCheckpointAsync(earlySize + 300);
        var hashes = await service.Database.ListAsync($"select seq, hash from optout.audit_entries where seq <= {size} order by seq", r => (Seq: r.GetInt64(0), Hash: r.GetString(1)));
        Assert.Equal(size, hashes.Count);
        foreach (var seq in new[] { 1, 2, 255, 256, 257, size / 2, size - 1, size }.Distinct())
        {
            var proof = await service.As("dpo").GetFromJsonAsync<JsonElement>($"/v1/audit/log/proofs/inclusion?entry={seq}&size={size}");
            var leaf = LogProofs.LeafHash(Convert.FromHexString(hashes[(int)seq - 1].Hash));
            Assert.Equal(seq - 1, proof.GetProperty("leafIndex").GetInt64());
            Assert.True(LogProofs.VerifyInclusion(leaf, seq - 1, size, Hashes(proof), root), $"entry {seq} of {size}");
            Assert.False(LogProofs.VerifyInclusion(LogProofs.LeafHash([1, 2, 3]), seq - 1, size, Hashes(proof), root));
        }

        Assert.Equal(root, LogProofs.Root([.. hashes.Select(h => LogProofs.LeafHash(Convert.FromHexString(h.Hash)))]));
        var consistency = await service.As("dpo").GetFromJsonAsync<JsonElement>($"/v1/audit/log/proofs/consistency?from={earlySize}&to={size}");
        Assert.True(LogProofs.VerifyConsistency(earlySize, size, earlyRoot, root, Hashes(consistency)));
        Assert.False(LogProofs.VerifyConsistency(earlySize, size, LogProofs.EmptyRoot, root, Hashes(consistency)));
    }

    [Fact]
    public async Task A_patients_downloaded_history_verifies_with_the_independent_verifier_and_a_changed_entry_does_not()
    {
        var nhs = TestPatients.NewNhsNumber();
        var patient = service.As("patient", nhs);
        await patient.PutOptOutAsync(nhs, new { optedOut = true, channel = "online" }).JsonAsync();
        await service.As("pipeline").GetAsync($"/v1/opt-outs/{nhs}");
        await patient.GetAsync($"/v1/patients/{nhs}/preferences");
        var mine = await service.Database.ScalarAsync<long>($"select max(seq) from optout.audit_entries where nhs_number = '{nhs}'");
        await SignedCheckpointAsync(mine, mapped: true);

        var history = await patient.GetStringAsync($"/v1/patients/{nhs}/access-log/proof");
        var key = (await service.CreateClient().GetStringAsync("/v1/audit/log/key")).Trim();
        var file = Path.Combine(Path.GetTempPath(), $"history-{Guid.NewGuid():N}.json");
        try
        {
            await File.WriteAllTextAsync(file, history);
            var (exit, said) = await VerifyAsync("history", "--key", key, "--history", file);
            Assert.True(exit == 0, said);
            Assert.Contains($"all 3 entries about {nhs}", said, StringComparison.Ordinal);
            Assert.Contains("the list is complete", said, StringComparison.Ordinal);

            // An entry someone changed (here: who used the record) no longer hashes to what the log holds.
            var node = System.Text.Json.Nodes.JsonNode.Parse(history)!;
            node["entries"]![1]!["actor"] = "someone-else";
            await File.WriteAllTextAsync(file, node.ToJsonString());
            (exit, said) = await VerifyAsync("history", "--key", key, "--history", file);
            Assert.True(exit == 1, said);
            Assert.Contains("was changed", said, StringComparison.Ordinal);

            // Checked against a key that is not the log's, nothing verifies.
            using var other = new OptOut.Audit.Transparency.LogKey(Microsoft.Extensions.Options.Options.Create(new OptOut.Audit.Transparency.TransparencyLogOptions()));
            (exit, said) = await VerifyAsync("history", "--key", other.VerifierKey, "--history", file);
            Assert.Equal(1, exit);
        }
        finally
        {
            File.Delete(file);
        }

        // Another patient gets no one else's history, proofs or not.
        Assert.Equal(HttpStatusCode.Forbidden, (await service.As("patient", TestPatients.NewNhsNumber()).GetAsync($"/v1/patients/{nhs}/access-log/proof")).StatusCode);
    }

    [Fact]
    public async Task A_patients_history_with_one_entry_removed_fails_its_proof_and_so_does_a_map_proof_trimmed_to_match()
    {
        var nhs = TestPatients.NewNhsNumber();
        var patient = service.As("patient", nhs);
        await patient.PutOptOutAsync(nhs, new { optedOut = true, channel = "online" }).JsonAsync();
        await service.As("pipeline").GetAsync($"/v1/opt-outs/{nhs}");
        await service.As("pipeline").GetAsync($"/v1/opt-outs/{nhs}");
        await SignedCheckpointAsync(await service.Database.ScalarAsync<long>($"select max(seq) from optout.audit_entries where nhs_number = '{nhs}'"), mapped: true);
        var history = await patient.GetStringAsync($"/v1/patients/{nhs}/access-log/proof");
        var key = (await service.CreateClient().GetStringAsync("/v1/audit/log/key")).Trim();
        var map = JsonDocument.Parse(history).RootElement.GetProperty("map")[0];
        Assert.Equal(3, map.GetProperty("leaf").GetProperty("entries").GetInt64());

        // Each entry still proves its own inclusion; only the map shows one is gone (a pipeline's look-up, say).
        var removed = System.Text.Json.Nodes.JsonNode.Parse(history)!;
        removed["entries"]!.AsArray().RemoveAt(1);
        var (exit, said) = await VerifyFileAsync(removed.ToJsonString(), key);
        Assert.True(exit == 1, said);
        Assert.Contains("the list is not complete: the signed map says 3 of the log's first", said, StringComparison.Ordinal);

        // OptOut's own tool says the same, from the same file (the page's check): the original verifies, this does not.
        var original = await CliHistoryAsync(history, key);
        Assert.True(original.ExitCode == 0, original.Stdout + original.Stderr);
        Assert.Contains("its patient map shows no entry naming the patient", original.Stdout, StringComparison.Ordinal);
        var trimmed = await CliHistoryAsync(removed.ToJsonString(), key);
        Assert.True(trimmed.ExitCode == 1, trimmed.Stdout + trimmed.Stderr);
        Assert.StartsWith("NOT VERIFIED: the signed record holds 3 uses", trimmed.Stdout, StringComparison.Ordinal);

        // A server that also trims the map leaf to two entries (with the head the two give) no longer reaches the signed map.
        var entries = removed["entries"]!.AsArray().Select(e => (e!["sequence"]!.GetValue<long>() - 1, LogProofs.LeafHash(Convert.FromHexString(e["hash"]!.GetValue<string>())))).ToList();
        removed["map"]![0]!["leaf"]!["entries"] = 2;
        removed["map"]![0]!["leaf"]!["head"] = Convert.ToBase64String(PatientMap.HeadOf(entries));
        (exit, said) = await VerifyFileAsync(removed.ToJsonString(), key);
        Assert.True(exit == 1, said);
        Assert.Contains("does not lead to the map the checkpoint signs", said, StringComparison.Ordinal);

        // Hostile bytes in the file are reported as not verified, never as a crash.
        var garbled = System.Text.Json.Nodes.JsonNode.Parse(history)!;
        garbled["map"]![0]!["path"]![0]!["sibling"] = "%%%";
        (exit, said) = await VerifyFileAsync(garbled.ToJsonString(), key);
        Assert.True(exit == 1, said);
        Assert.StartsWith("NOT VERIFIED: the input could not be read", said, StringComparison.Ordinal);
        var unlaid = System.Text.Json.Nodes.JsonNode.Parse(history)!;
        unlaid["entries"] = null;
        (exit, said) = await VerifyFileAsync(unlaid.ToJsonString(), key);
        Assert.True(exit == 1, said);
        Assert.StartsWith("NOT VERIFIED: the input is not laid out as OptOut writes it: a field is missing or not of its kind", said, StringComparison.Ordinal);

        // Nor may the map proof simply be left out.
        var unmapped = System.Text.Json.Nodes.JsonNode.Parse(history)!;
        unmapped["map"]!.AsArray().Clear();
        (exit, said) = await VerifyFileAsync(unmapped.ToJsonString(), key);
        Assert.True(exit == 1, said);
        Assert.Contains("no map proof", said, StringComparison.Ordinal);
    }

    [Fact]
    public async Task While_the_map_lags_the_log_the_list_is_shown_complete_only_up_to_the_map()
    {
        var nhs = TestPatients.NewNhsNumber();
        var patient = service.As("patient", nhs);
        await patient.PutOptOutAsync(nhs, new { optedOut = true, channel = "online" }).JsonAsync();
        await SignedCheckpointAsync(await LatestEntryAboutAsync(nhs, after: 0), mapped: true);

        // The map's writes held (its reads, which checkpoints make, go on) while two look-ups are signed past it.
        string history;
        await using (await service.Database.HoldPatientMapWritesAsync())
        {
            var before = await LatestEntryAboutAsync(nhs, after: 0);
            await service.As("pipeline").GetAsync($"/v1/opt-outs/{nhs}");
            await Task.Delay(TimeSpan.FromSeconds(2.5));
            await service.As("pipeline").GetAsync($"/v1/opt-outs/{nhs}");
            await SignedCheckpointAsync(await LatestEntryAboutAsync(nhs, after: before));
            history = await patient.GetStringAsync($"/v1/patients/{nhs}/access-log/proof");
        }

        var key = (await service.CreateClient().GetStringAsync("/v1/audit/log/key")).Trim();
        var check = HistoryCheck.Of(history, key);
        Assert.True(check.Verified, check.Problem);
        Assert.True(check.Complete);
        Assert.False(check.CompleteToSignedAt, $"{check}");
        Assert.Equal(JsonDocument.Parse(history).RootElement.GetProperty("mapSignedAt").GetDateTimeOffset(), check.CompleteUpTo);
        var said = await CliHistoryAsync(history, key);
        Assert.True(said.ExitCode == 0, said.Stdout + said.Stderr);
        Assert.Contains("(the map had not yet taken in the latest entries)", said.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_download_taken_straight_after_a_change_still_proves_complete()
    {
        var nhs = TestPatients.NewNhsNumber();
        await service.As("patient", nhs).PutOptOutAsync(nhs, new { optedOut = true, channel = "online" }).JsonAsync();
        var history = await service.As("patient", nhs).GetStringAsync($"/v1/patients/{nhs}/access-log/proof");
        var document = JsonDocument.Parse(history).RootElement;
        var proof = document.GetProperty("map")[0];
        var checkpoint = LogCheckpoint.Parse(SignedNote.Parse(document.GetProperty("checkpoint").GetString()!)!.Value.Text)!;

        // The map trails the tree: whatever of the patient's entries it has reached yet (perhaps none, when the proof
        // is the absence of their leaf), its answer matches exactly the listed entries it covers.
        var mapSize = checkpoint.Map?.Size ?? 0;
        var covered = document.GetProperty("entries").EnumerateArray().Count(e => e.GetProperty("sequence").GetInt64() <= mapSize);
        var leaf = proof.GetProperty("leaf");
        var own = leaf.ValueKind != JsonValueKind.Null && leaf.GetProperty("key").GetString() == Convert.ToBase64String(PatientMap.Key(nhs));
        Assert.Equal(covered, own ? leaf.GetProperty("entries").GetInt64() : 0);
        var key = (await service.CreateClient().GetStringAsync("/v1/audit/log/key")).Trim();
        var (exit, said) = await VerifyFileAsync(history, key);
        Assert.True(exit == 0, said);

        // The page's check shows the list complete only as far as the map goes: up to when the log was signed at the
        // map's size, which the download says; a later time than its own checkpoint's is not believed.
        var check = HistoryCheck.Of(history, key);
        Assert.True(check.Verified, check.Problem);
        if (mapSize == 0)
        {
            Assert.False(check.Complete);
            return;
        }

        var mapSignedAt = document.GetProperty("mapSignedAt").GetDateTimeOffset();
        Assert.Equal(await service.Database.ScalarAsync<DateTime>($"select signed_at from optout.audit_log_checkpoints where size = {mapSize}"), mapSignedAt.UtcDateTime);
        Assert.True(check.Complete);
        Assert.Equal(mapSize == checkpoint.Size ? check.SignedAt : mapSignedAt, check.CompleteUpTo);
        var overclaimed = System.Text.Json.Nodes.JsonNode.Parse(history)!;
        overclaimed["mapSignedAt"] = document.GetProperty("signedAt").GetDateTimeOffset().AddHours(1);
        var later = HistoryCheck.Of(overclaimed.ToJsonString(), key);
        Assert.True(later.Verified && (mapSize == checkpoint.Size ? later.Complete : !later.Complete), $"{later}");
    }

    /// <summary>The newest entry naming the patient once it is past <paramref name="after"/>: a request's entry joins the trail just after its answer.</summary>
    private async Task<long> LatestEntryAboutAsync(string nhs, long after)
    {
        for (var i = 0; ; i++)
        {
            var latest = await service.Database.ScalarAsync<long>($"select coalesce(max(seq), 0) from optout.audit_entries where nhs_number = '{nhs}'");
            if (latest > after || i == 100)
            {
                Assert.True(latest > after, $"no entry about the patient after {after}");
                return latest;
            }

            await Task.Delay(100);
        }
    }

    private async Task<CliRun> CliHistoryAsync(string history, string key)
    {
        var file = Path.Combine(Path.GetTempPath(), $"history-{Guid.NewGuid():N}.json");
        try
        {
            await File.WriteAllTextAsync(file, history);
            return await OptOutCli.RunAsync(service.SigningKey, "audit-verify", file, "--log-key", key);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task<(int Exit, string Output)> VerifyFileAsync(string history, string key)
    {
        var file = Path.Combine(Path.GetTempPath(), $"history-{Guid.NewGuid():N}.json");
        try
        {
            await File.WriteAllTextAsync(file, history);
            return await VerifyAsync("history", "--key", key, "--history", file);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("inclusion?entry=0&size=1", HttpStatusCode.BadRequest, "entry must be at least 1 (an audit entry's sequence); it was 0.")]
    [InlineData("inclusion?entry=5&size=4", HttpStatusCode.BadRequest, "entry 5 is beyond size 4: the checkpoint of size 4 covers entries 1 to 4.")]
    [InlineData("inclusion?entry=1", HttpStatusCode.BadRequest, "size is required: a signed checkpoint's size, from 1.")]
    [InlineData("inclusion?entry=1&size=999999999", HttpStatusCode.NotFound, "No checkpoint was signed at size 999999999")]
    [InlineData("consistency?from=2&to=1", HttpStatusCode.BadRequest, "from (2) is larger than to (1)")]
    [InlineData("consistency?from=-3&to=1", HttpStatusCode.BadRequest, "from must be at least 1 (the older signed checkpoint's size); it was -3.")]
    [InlineData("consistency?from=1&to=999999999", HttpStatusCode.NotFound, "999999999: ask for the latest one first.")]
    public async Task A_proof_of_something_that_is_not_there_gets_a_problem_naming_it(string query, HttpStatusCode status, string mentions)
    {
        var response = await service.As("dpo").GetAsync($"/v1/audit/log/proofs/{query}");

        await OptOut.IntegrationTests.NationalDataOptOut.BadInputTests.AssertProblemAsync(response, status, mentions);
    }

    [Fact]
    public async Task A_checkpoint_below_size_1_is_a_bad_question_not_a_missing_one()
    {
        var response = await service.CreateClient().GetAsync("/v1/audit/log/checkpoint?size=-1");

        await OptOut.IntegrationTests.NationalDataOptOut.BadInputTests.AssertProblemAsync(response, HttpStatusCode.BadRequest, "size must be at least 1");
    }

    [Fact]
    public async Task Proofs_need_a_signed_in_caller()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await service.CreateClient().GetAsync("/v1/audit/log/proofs/inclusion?entry=1&size=1")).StatusCode);
    }

    /// <summary>The latest checkpoint once it covers <paramref name="atLeast"/> entries, its signature checked with the published key.</summary>
    private async Task<(long Size, byte[] Root)> SignedCheckpointAsync(long atLeast, bool mapped = false)
    {
        var anonymous = service.CreateClient();
        var (name, key) = SignedNote.ParseVerifierKey((await anonymous.GetStringAsync("/v1/audit/log/key")).Trim())!.Value;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var response = await anonymous.GetAsync("/v1/audit/log/checkpoint");
            if (response.IsSuccessStatusCode)
            {
                var text = SignedNote.Verify(await response.Content.ReadAsStringAsync(), name, key);
                Assert.NotNull(text);
                var checkpoint = LogCheckpoint.Parse(text)!;
                Assert.Equal(name, checkpoint.Origin);
                if (checkpoint.Size >= atLeast && (!mapped || checkpoint.Map?.Size >= atLeast))
                {
                    return (checkpoint.Size, checkpoint.Root);
                }
            }

            Assert.True(DateTime.UtcNow < deadline, $"no checkpoint covered {atLeast} entries{(mapped ? " with its patient map" : "")}");
            if (mapped)
            {
                // A checkpoint signs the map finished before it: another use makes the next one.
                await service.As("pipeline").GetAsync($"/v1/opt-outs/{TestPatients.NewNhsNumber()}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Runs the independent verifier as a patient would, and returns its exit code and what it printed.</summary>
    private static async Task<(int Exit, string Output)> VerifyAsync(params string[] args)
    {
        var dll = Path.Combine(Repository.Root, "src", "OptOut.Verifier", "bin", Configuration, "net10.0", "optout-verify.dll");
        var start = new System.Diagnostics.ProcessStartInfo("dotnet", [dll, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output);
    }

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private static List<byte[]> Hashes(JsonElement proof) => [.. proof.GetProperty("hashes").EnumerateArray().Select(h => Convert.FromBase64String(h.GetString()!))];
}
