using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OptOut.IntegrationTests.Faults;
using OptOut.IntegrationTests.Infrastructure;
using OptOut.IntegrationTests.NationalDataOptOut;

namespace OptOut.IntegrationTests.PipelineChecks;

/// <summary>
/// minSequence against a store with a transaction in flight: the index stops at the in-flight sequence, so a change
/// committed after it is a 503 ("retry shortly") until that one settles, then answered; a sequence no change has is a
/// 400, since retrying would never help. Its own service and database: the gap it opens holds up every index reader.
/// </summary>
public class InFlightChangeTests
{
    [Fact]
    public async Task A_change_behind_one_in_flight_is_503_until_it_settles_and_a_sequence_never_recorded_is_400()
    {
        await using var scenario = await FaultScenario.CreateAsync();
        // Half a second's wait, well inside the seconds Marten's high-water mark takes to pass a sequence left unused.
        var service = await scenario.StartServiceAsync(overrides: new Dictionary<string, string> { ["OptOutIndex:MaxWait"] = "00:00:00.5" });
        var nhs = TestPatients.NewNhsNumber();
        var pipeline = service.As("pipeline");
        Assert.Equal(HttpStatusCode.OK, (await service.As("patient", nhs).PutOptOutAsync(nhs, new { optedOut = false, channel = "nhs-app" })).StatusCode);

        // A transaction took the next sequence and has not committed (or rolled back, as a failed append does).
        await scenario.Database.ScalarAsync<long>("select nextval('optout.mt_events_sequence')");
        var change = await service.As("patient", nhs).PutOptOutAsync(nhs, new { optedOut = true, channel = "nhs-app" });
        var sequence = long.Parse(change.Headers.GetValues("OptOut-Sequence").Single(), CultureInfo.InvariantCulture);

        var behind = await pipeline.GetAsync($"/v1/opt-outs/{nhs}?minSequence={sequence}");
        await BadInputTests.AssertProblemAsync(behind, HttpStatusCode.ServiceUnavailable, $"not yet {sequence}");
        Assert.Equal(TimeSpan.FromSeconds(1), behind.Headers.RetryAfter?.Delta);

        var never = await pipeline.GetAsync($"/v1/opt-outs/{nhs}?minSequence={sequence + 1_000}");
        await BadInputTests.AssertProblemAsync(never, HttpStatusCode.BadRequest, $"beyond the latest change recorded ({sequence})");

        // Once the high-water mark passes the unused sequence, the change is answered.
        JsonElement? answer = null;
        for (var tries = 0; tries < 60 && answer is null; tries++)
        {
            var response = await pipeline.GetAsync($"/v1/opt-outs/{nhs}?minSequence={sequence}");
            answer = response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement>() : null;
            await Task.Delay(answer is null ? 500 : 0);
        }

        Assert.True(answer?.GetProperty("optedOut").GetBoolean());
    }
}
