using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OptOut.EventStore;
using OptOut.IntegrationTests.Infrastructure;
using OptOut.IntegrationTests.NationalDataOptOut;
using OptOut.Indexing;

namespace OptOut.IntegrationTests.PipelineChecks;

[Collection(OptOutServiceGroup.Name)]
public class IndexAndChangeFeedTests(OptOutService service)
{
    [Fact]
    public async Task A_write_names_its_sequence_and_a_read_that_demands_it_sees_the_write()
    {
        var nhs = TestPatients.NewNhsNumber();

        var set = await service.As("patient", nhs).PutOptOutAsync(nhs, new { optedOut = true, channel = "online" });
        var sequence = long.Parse(set.Headers.GetValues("OptOut-Sequence").Single(), System.Globalization.CultureInfo.InvariantCulture);
        var status = await service.As("pipeline").GetFromJsonAsync<JsonElement>($"/v1/opt-outs/{nhs}?minSequence={sequence}");

        Assert.True(status.GetProperty("optedOut").GetBoolean());
        Assert.True(status.GetProperty("sequence").GetInt64() >= sequence);
    }

    [Fact]
    public async Task Once_an_opt_out_is_acknowledged_every_look_up_and_bulk_check_that_starts_afterwards_reflects_it()
    {
        var pipeline = service.As("pipeline");
        for (var i = 0; i < 20; i++)
        {
            var nhs = TestPatients.NewNhsNumber();
            var set = await service.As("patient", nhs).PutOptOutAsync(nhs, new { optedOut = true, channel = "online" });
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);

            // No minSequence: the instance that acknowledged the change answers with it regardless.
            var status = await pipeline.GetFromJsonAsync<JsonElement>($"/v1/opt-outs/{nhs}");
            Assert.True(status.GetProperty("optedOut").GetBoolean(), $"look-up {i} was told optedOut false right after the acknowledgement");

            var other = TestPatients.NewNhsNumber();
            var again = await service.As("patient", other).PutOptOutAsync(other, new { optedOut = true, channel = "online" });
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            var check = await pipeline.PostAsync("/v1/opt-out-checks?purpose=research&dataSource=hospital",
                new StringContent(other + "\n" + TestPatients.NewNhsNumber() + "\n", System.Text.Encoding.ASCII, "text/plain"));
            Assert.DoesNotContain(other, await check.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task Demanding_a_sequence_no_change_has_gets_400_not_a_stale_answer_nor_a_retry_for_ever()
    {
        var response = await service.As("pipeline").GetAsync($"/v1/opt-outs/{TestPatients.NewNhsNumber()}?minSequence={long.MaxValue / 2}");

        await BadInputTests.AssertProblemAsync(response, HttpStatusCode.BadRequest, "beyond the latest change recorded");
    }

    [Fact]
    public async Task An_index_built_at_start_up_from_its_checkpoint_or_from_the_snapshots_agrees_with_the_one_that_followed_the_changes()
    {
        var admin = service.As("admin");
        var numbers = Enumerable.Range(0, 12).Select(_ => TestPatients.NewNhsNumber()).ToList();
        for (var i = 0; i < numbers.Count; i++)
        {
            await admin.PutOptOutAsync(numbers[i], new { optedOut = true, channel = "call-centre", patientBirthDate = TestPatients.AdultBorn }).JsonAsync();
        }

        // A refusal of consent marks its record for bulk checks to weigh: kept in the checkpoint, replayed after it.
        var refusedBefore = TestPatients.NewNhsNumber();
        await service.As("patient", refusedBefore).SendJsonAsync(HttpMethod.Put, $"/v1/patients/{refusedBefore}/consents/research", new { decision = "deny" }).JsonAsync();

        // A checkpoint in the middle: what follows it must be replayed on top of it, withdrawals and merges included.
        await service.StatusAsync(numbers[^1]);
        var checkpointed = await SaveCheckpointAsync();
        for (var i = 0; i < numbers.Count; i += 3)
        {
            await admin.PutOptOutAsync(numbers[i], new { optedOut = false, channel = "call-centre", patientBirthDate = TestPatients.AdultBorn }).JsonAsync();
        }

        var merged = TestPatients.NewNhsNumber();
        await admin.SendJsonAsync(HttpMethod.Post, $"/v1/patients/{numbers[1]}/supersession", new { newNhsNumber = merged }).JsonAsync();
        var late = TestPatients.NewNhsNumber();
        await admin.PutOptOutAsync(late, new { optedOut = true, channel = "call-centre", patientBirthDate = TestPatients.AdultBorn }).JsonAsync();
        var refusedAfter = TestPatients.NewNhsNumber();
        await service.As("patient", refusedAfter).SendJsonAsync(HttpMethod.Put, $"/v1/patients/{refusedAfter}/consents/planning", new { decision = "deny" }).JsonAsync();
        await service.StatusAsync(numbers[0]);
        var live = service.Services.GetRequiredService<OptOutIndex>();

        var fromCheckpoint = new OptOutIndex();
        var started = await Follower(fromCheckpoint).BuildAsync(CancellationToken.None);
        var fromSnapshots = new OptOutIndex();
        await Follower(fromSnapshots).BuildFromSnapshotsAsync(CancellationToken.None);

        Assert.True(started >= checkpointed, $"the build started from sequence {started?.ToString() ?? "none"}, not from the checkpoint at {checkpointed}");
        foreach (var rebuilt in new[] { fromCheckpoint, fromSnapshots })
        {
            foreach (var nhs in numbers.Append(merged).Append(late))
            {
                var number = OptOut.NhsNumbers.NhsNumber.Parse(nhs);
                Assert.Equal(live.HasNationalOptOut(number), rebuilt.HasNationalOptOut(number));
            }

            Assert.True(rebuilt.HasNationalOptOut(OptOut.NhsNumbers.NhsNumber.Parse(merged)));
            Assert.True(rebuilt.HasNationalOptOut(OptOut.NhsNumbers.NhsNumber.Parse(late)));
            Assert.False(rebuilt.HasNationalOptOut(OptOut.NhsNumbers.NhsNumber.Parse(numbers[0])));
            Assert.True(rebuilt.MayRefuseConsent(OptOut.NhsNumbers.NhsNumber.Parse(refusedBefore).Base));
            Assert.True(rebuilt.MayRefuseConsent(OptOut.NhsNumbers.NhsNumber.Parse(refusedAfter).Base));
            Assert.False(rebuilt.MayRefuseConsent(OptOut.NhsNumbers.NhsNumber.Parse(late).Base));
            Assert.True(rebuilt.Sequence > 0);
        }
    }

    [Fact]
    public async Task A_checkpoint_whose_last_event_is_not_in_the_store_is_ignored_and_the_index_is_built_from_the_snapshots()
    {
        var nhs = TestPatients.NewNhsNumber();
        await service.As("admin").PutOptOutAsync(nhs, new { optedOut = true, channel = "call-centre", patientBirthDate = TestPatients.AdultBorn }).JsonAsync();
        await service.StatusAsync(nhs);
        await SaveCheckpointAsync();

        // As if the store had been emptied or restored from elsewhere: the saved bits (here none) are not this store's.
        await using (var command = service.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
            "update optout.opt_out_index_checkpoints set last_event_id = gen_random_uuid(), data = '\\x0000000000000000000000000000000000000000'::bytea"))
        {
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        var index = new OptOutIndex();
        var started = await Follower(index).BuildAsync(CancellationToken.None);

        Assert.Null(started);
        Assert.True(index.HasNationalOptOut(OptOut.NhsNumbers.NhsNumber.Parse(nhs)));
    }

    private OptOutIndexFollower Follower(OptOutIndex index) => IndexBuilds.Follower(service, index);

    /// <summary>Saves a checkpoint of the store as it is now and returns its sequence.</summary>
    private async Task<long> SaveCheckpointAsync()
    {
        var index = await IndexBuilds.FromSnapshotsAsync(service);
        await IndexBuilds.SaveCheckpointAsync(service, index);
        return index.Sequence;
    }

    [Fact]
    public async Task The_change_feed_pages_changes_in_sequence_order_as_the_messages_carry_them()
    {
        var start = await service.LatestSequenceAsync();
        var nhs = TestPatients.NewNhsNumber();
        var patient = service.As("patient", nhs);
        await patient.PutOptOutAsync(nhs, new { optedOut = true, channel = "online" }).JsonAsync();
        await patient.PutOptOutAsync(nhs, new { optedOut = false, channel = "online" }).JsonAsync();
        await patient.SendJsonAsync(HttpMethod.Put, $"/v1/patients/{nhs}/consents/research", new { decision = "permit" }).JsonAsync();
        await service.StatusAsync(nhs);

        var changes = new List<JsonElement>();
        var cursor = start;
        for (var page = 0; page < 50; page++)
        {
            var body = await service.As("pipeline").GetFromJsonAsync<JsonElement>($"/v1/opt-out-changes?after={cursor}&limit=2");
            changes.AddRange(body.GetProperty("changes").EnumerateArray());
            cursor = body.GetProperty("next").GetInt64();
            if (body.GetProperty("caughtUp").GetBoolean())
            {
                break;
            }
        }

        var mine = changes.Where(c => c.GetProperty("message").GetProperty("nhsNumber").GetString() == nhs).ToList();
        Assert.Equal(
            ["OptOut.Contracts.V1:NationalDataOptOutChanged", "OptOut.Contracts.V1:NationalDataOptOutChanged", "OptOut.Contracts.V1:ConsentChanged"],
            mine.Select(c => c.GetProperty("messageType").GetString()));
        Assert.Equal([true, false], mine.Take(2).Select(c => c.GetProperty("message").GetProperty("optedOut").GetBoolean()));
        var sequences = changes.Select(c => c.GetProperty("sequence").GetInt64()).ToList();
        Assert.Equal(sequences.Order(), sequences);
        Assert.All(mine, c => Assert.Equal(c.GetProperty("sequence").GetInt64(), c.GetProperty("message").GetProperty("sequence").GetInt64()));
    }

    [Fact]
    public async Task A_cursor_beyond_the_latest_change_is_refused_rather_than_reported_caught_up()
    {
        var nhs = TestPatients.NewNhsNumber();
        await service.As("patient", nhs).PutOptOutAsync(nhs, new { optedOut = true, channel = "nhs-app" }).JsonAsync();
        var latest = await service.As("pipeline").GetFromJsonAsync<JsonElement>("/v1/opt-out-changes?after=0&limit=10000");
        while (!latest.GetProperty("caughtUp").GetBoolean())
        {
            latest = await service.As("pipeline").GetFromJsonAsync<JsonElement>($"/v1/opt-out-changes?after={latest.GetProperty("next").GetInt64()}&limit=10000");
        }

        var next = latest.GetProperty("next").GetInt64();
        // At the end: caught up, as before.
        var atEnd = await service.As("pipeline").GetFromJsonAsync<JsonElement>($"/v1/opt-out-changes?after={next}");
        Assert.True(atEnd.GetProperty("caughtUp").GetBoolean());

        var beyond = await service.As("pipeline").GetAsync($"/v1/opt-out-changes?after={next + 1_000_000}");
        await BadInputTests.AssertProblemAsync(beyond, HttpStatusCode.BadRequest, "beyond the latest change recorded");
    }

    [Theory]
    [InlineData("after=-1", "after is a change's sequence, 0 or more; it was -1.")]
    [InlineData("limit=0", "limit is 1 to 10000; it was 0.")]
    [InlineData("after=5&limit=100000", "limit is 1 to 10000; it was 100000.")]
    public async Task A_bad_page_request_gets_400_naming_the_value(string query, string mentions)
    {
        var response = await service.As("pipeline").GetAsync($"/v1/opt-out-changes?{query}");

        await BadInputTests.AssertProblemAsync(response, HttpStatusCode.BadRequest, mentions);
    }
}
