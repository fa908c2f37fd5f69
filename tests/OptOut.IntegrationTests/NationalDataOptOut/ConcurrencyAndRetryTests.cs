using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.NationalDataOptOut;

[Collection(OptOutServiceGroup.Name)]
public class ConcurrencyAndRetryTests(OptOutService service)
{
    [Fact]
    public async Task A_stale_If_Match_gets_412_and_records_nothing()
    {
        var nhs = TestPatients.NewNhsNumber();
        var patient = service.As("patient", nhs);
        await patient.PutOptOutAsync(nhs, new { optedOut = true, channel = "online" }, ifMatch: "\"0\"");

        var stale = await patient.PutOptOutAsync(nhs, new { optedOut = false, channel = "online" }, ifMatch: "\"0\"");

        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal("application/problem+json", stale.Content.Headers.ContentType?.MediaType);
        Assert.Equal(1, await service.EventCountAsync(nhs));
    }

    [Fact]
    public async Task A_current_If_Match_lets_the_change_through()
    {
        var nhs = TestPatients.NewNhsNumber();
        var patient = service.As("patient", nhs);
        var first = await patient.PutOptOutAsync(nhs, new { optedOut = true, channel = "online" });

        var second = await patient.PutOptOutAsync(nhs, new { optedOut = false, channel = "online" }, ifMatch: first.Headers.ETag!.Tag);

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("\"2\"", second.Headers.ETag?.Tag);
    }

    [Fact]
    public async Task If_Match_star_holds_for_every_record_even_one_never_chosen()
    {
        // RFC 9110: "*" matches any current representation; a record with no choice yet is version 0, and it exists.
        var nhs = TestPatients.NewNhsNumber();
        var patient = service.As("patient", nhs);

        var first = await patient.PutOptOutAsync(nhs, new { optedOut = true, channel = "online" }, ifMatch: "*");
        var second = await patient.PutOptOutAsync(nhs, new { optedOut = false, channel = "online" }, ifMatch: " * ");

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, second.StatusCode));
        Assert.Equal(2, await service.EventCountAsync(nhs));
    }

    [Fact]
    public async Task A_retried_request_with_the_same_Idempotency_Key_gets_the_first_response_and_appends_one_event()
    {
        var nhs = TestPatients.NewNhsNumber();
        var patient = service.As("patient", nhs);
        var body = new { optedOut = true, channel = "nhs-app" };

        var first = await patient.PutOptOutAsync(nhs, body, idempotencyKey: "retry-1");
        // Someone else's change in between must not alter what the retry answers.
        await service.As("admin").PutOptOutAsync(nhs, new { optedOut = false, channel = "call-centre", patientBirthDate = TestPatients.AdultBorn });
        var retry = await patient.PutOptOutAsync(nhs, body, idempotencyKey: "retry-1");

        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());
        Assert.Equal("\"1\"", retry.Headers.ETag?.Tag);
        Assert.True(retry.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(first.Headers.GetValues("OptOut-Sequence"), retry.Headers.GetValues("OptOut-Sequence"));
        Assert.Equal(2, await service.EventCountAsync(nhs));
    }

    [Fact]
    public async Task A_proxy_whose_authority_was_revoked_cannot_replay_a_stored_answer()
    {
        var nhs = TestPatients.NewNhsNumber();
        var proxyId = "attorney-" + Guid.NewGuid().ToString("N")[..8];
        var admin = service.As("admin");
        await admin.SendJsonAsync(HttpMethod.Post, $"/v1/patients/{nhs}/proxies", new { proxyId, role = "power-of-attorney", evidenceReference = "LPA-1" }).JsonAsync();
        var attorney = service.As("proxy", subject: proxyId);
        var body = new { optedOut = true, channel = "online" };
        Assert.Equal(HttpStatusCode.OK, (await attorney.PutOptOutAsync(nhs, body, idempotencyKey: "attorney-1")).StatusCode);
        await admin.SendJsonAsync(HttpMethod.Delete, $"/v1/patients/{nhs}/proxies/{proxyId}").JsonAsync();

        var replay = await attorney.PutOptOutAsync(nhs, body, idempotencyKey: "attorney-1");

        await BadInputTests.AssertProblemAsync(replay, HttpStatusCode.Forbidden, "not currently authorised");
        Assert.False(replay.Headers.Contains("Idempotent-Replayed"));
    }

    [Fact]
    public async Task A_caller_sharing_a_token_subject_cannot_replay_another_patients_answer()
    {
        var mine = TestPatients.NewNhsNumber();
        var theirs = TestPatients.NewNhsNumber();
        var body = new { optedOut = true, channel = "online" };
        await service.As("patient", mine, subject: "shared-subject").PutOptOutAsync(mine, body, idempotencyKey: "shared-1");

        var replay = await service.As("patient", theirs, subject: "shared-subject").PutOptOutAsync(mine, body, idempotencyKey: "shared-1");

        Assert.Equal(HttpStatusCode.Forbidden, replay.StatusCode);
        Assert.DoesNotContain(mine, await replay.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Concurrent_retries_with_one_Idempotency_Key_append_one_event()
    {
        var nhs = TestPatients.NewNhsNumber();
        var patient = service.As("patient", nhs);

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ =>
            patient.PutOptOutAsync(nhs, new { optedOut = true, channel = "online" }, idempotencyKey: "burst")));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, await service.EventCountAsync(nhs));
    }

    [Fact]
    public async Task Concurrent_changes_without_If_Match_all_land_each_decided_on_the_record_as_it_then_stood()
    {
        var nhs = TestPatients.NewNhsNumber();
        var staff = service.As("admin");

        // A burst of phone calls about one record: set, withdraw, set, ... all at once, with no precondition asked for.
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            staff.PutOptOutAsync(nhs, new { optedOut = i % 2 == 0, channel = "call-centre", patientBirthDate = TestPatients.AdultBorn }, idempotencyKey: $"call-{i}")));

        // None is refused for landing a moment after another (no 409 to retry), and each answer is the record after it.
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var history = (await service.As("dpo").GetFromJsonAsync<JsonElement>($"/v1/patients/{nhs}/history")).GetProperty("decisions").EnumerateArray()
            .Select(d => d.GetProperty("event").GetProperty("eventType").GetString()).ToList();
        Assert.Equal(history.Count, await service.EventCountAsync(nhs));
        // Decided on the record as it stood: never two sets (or two withdrawals) in a row.
        Assert.All(history.Zip(history.Skip(1)), pair => Assert.NotEqual(pair.First, pair.Second));
    }

    [Fact]
    public async Task Reusing_an_Idempotency_Key_for_a_different_request_is_refused()
    {
        var nhs = TestPatients.NewNhsNumber();
        var patient = service.As("patient", nhs);
        await patient.PutOptOutAsync(nhs, new { optedOut = true, channel = "online" }, idempotencyKey: "k-1");

        var reused = await patient.PutOptOutAsync(nhs, new { optedOut = false, channel = "online" }, idempotencyKey: "k-1");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, reused.StatusCode);
        Assert.Equal(1, await service.EventCountAsync(nhs));
    }

    [Fact]
    public async Task A_request_that_changes_nothing_leaves_the_stream_writable()
    {
        var nhs = TestPatients.NewNhsNumber();
        var patient = service.As("patient", nhs);

        var noop = await patient.PutOptOutAsync(nhs, new { optedOut = false, channel = "online" }, idempotencyKey: "noop");
        var change = await patient.PutOptOutAsync(nhs, new { optedOut = true, channel = "online" });

        Assert.Equal("\"0\"", noop.Headers.ETag?.Tag);
        Assert.Equal(HttpStatusCode.OK, change.StatusCode);
        Assert.Equal("\"1\"", change.Headers.ETag?.Tag);
    }
}
