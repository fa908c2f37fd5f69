using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.Audit;

/// <summary>
/// "Verify now" as a run in the API's background: it answers what the verification finds, one runs at a time (a second
/// request joins it), it shows how far it has got while it runs, and a server that stops mid-run leaves it marked
/// interrupted, never completed, with the next request free to start again. A run is held mid-way by a superuser's
/// lock on the records' snapshots, which it reads after the trail.
/// </summary>
[Collection(TamperGroup.Name)]
public class VerificationRunTests(OptOutService service)
{
    [Fact]
    public async Task A_run_reports_what_the_verification_finds_and_who_asked()
    {
        await service.As("admin").PutOptOutAsync(TestPatients.NewNhsNumber(), new { optedOut = true, channel = "paper", patientBirthDate = TestPatients.AdultBorn });
        var dpo = service.As("dpo", subject: "dpo-runs");

        var run = await Verification.FinishedAsync(dpo, await Verification.BeginAsync(dpo));

        Assert.Equal("completed", run.GetProperty("status").GetString());
        Assert.Equal("dpo-runs", run.GetProperty("requestedBy").GetString());
        var result = run.GetProperty("result");
        Assert.True(result.GetProperty("intact").GetBoolean(), run.ToString());
        Assert.Equal(result.GetProperty("entries").GetInt64(), run.GetProperty("entriesChecked").GetInt64());
        Assert.Equal(result.GetProperty("recordsChecked").GetInt64(), run.GetProperty("recordsChecked").GetInt64());
        Assert.True(run.GetProperty("recordsChecked").GetInt64() > 0);
        Assert.True(run.GetProperty("finishedAt").GetDateTimeOffset() >= run.GetProperty("startedAt").GetDateTimeOffset());

        var latest = await dpo.GetFromJsonAsync<JsonElement>("/v1/audit/verifications");
        Assert.Equal(run.GetProperty("id").GetString(), latest[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_second_request_while_one_runs_joins_it_and_sees_it_progress()
    {
        var dpo = service.As("dpo");
        await TrailHasEntriesAsync();
        JsonElement run;
        await using (await Verification.HoldSnapshotsAsync(service.ConnectionString))
        {
            run = await Verification.BeginAsync(dpo);
            var moving = await ProgressedAsync(dpo, run);
            Assert.True(moving.GetProperty("entriesChecked").GetInt64() > 0, moving.ToString());
            Assert.False(moving.TryGetProperty("result", out _));

            var again = await Verification.BeginAsync(service.As("dpo", subject: "another-officer"));
            Assert.Equal(run.GetProperty("id").GetString(), again.GetProperty("id").GetString());
            Assert.Equal("running", again.GetProperty("status").GetString());
        }

        var finished = await Verification.FinishedAsync(dpo, run);
        Assert.Equal("completed", finished.GetProperty("status").GetString());
        Assert.True(finished.GetProperty("result").GetProperty("intact").GetBoolean(), finished.ToString());
    }

    [Fact]
    public async Task A_run_on_a_server_that_stops_is_interrupted_and_the_next_request_starts_afresh()
    {
        var dpo = service.As("dpo");
        string stopped;
        // Started before the lock is taken: a start reads the schema, snapshots' table included.
        await using var other = await ServiceProcess.StartAsync(service.Settings, service.ConnectionString, service.Servers.RabbitMq, "optout-verifying");
        await using (await Verification.HoldSnapshotsAsync(service.ConnectionString))
        {
            var run = await Verification.BeginAsync(other.As("dpo"));
            stopped = run.GetProperty("id").GetString()!;
            await ProgressedAsync(dpo, run);
            await other.StopAsync();

            var seen = await dpo.GetFromJsonAsync<JsonElement>($"/v1/audit/verifications/{stopped}");
            Assert.Equal("interrupted", seen.GetProperty("status").GetString());
            Assert.False(seen.TryGetProperty("result", out _));
            Assert.Contains("Nothing was concluded", seen.GetProperty("problem").GetString(), StringComparison.Ordinal);
        }

        var next = await Verification.FinishedAsync(dpo, await Verification.BeginAsync(dpo));
        Assert.NotEqual(stopped, next.GetProperty("id").GetString());
        Assert.Equal("completed", next.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_run_that_does_not_exist_is_not_found()
    {
        foreach (var id in new[] { Guid.NewGuid().ToString(), "not-a-run", "%27%3B--" })
        {
            using var response = await service.As("dpo").GetAsync($"/v1/audit/verifications/{id}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    /// <summary>Reads the run until it has reported progress since it began: it runs, and says so, while held.</summary>
    private static async Task<JsonElement> ProgressedAsync(HttpClient dpo, JsonElement run)
    {
        var began = run.GetProperty("updatedAt").GetDateTimeOffset();
        for (var deadline = DateTime.UtcNow.AddSeconds(20); DateTime.UtcNow < deadline; await Task.Delay(200))
        {
            var seen = await dpo.GetFromJsonAsync<JsonElement>($"/v1/audit/verifications/{run.GetProperty("id").GetString()}");
            Assert.Equal("running", seen.GetProperty("status").GetString());
            if (seen.GetProperty("updatedAt").GetDateTimeOffset() > began)
            {
                return seen;
            }
        }

        throw new TimeoutException("The run never reported its progress.");
    }

    /// <summary>Waits until the trail holds an entry (a request's own entry is chained just after it is answered).</summary>
    private async Task TrailHasEntriesAsync()
    {
        await service.As("pipeline").GetAsync($"/v1/opt-outs/{TestPatients.NewNhsNumber()}");
        await using var connection = new NpgsqlConnection(service.ConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("select exists (select 1 from optout.audit_entries)", connection);
        for (var deadline = DateTime.UtcNow.AddSeconds(20); !(bool)(await count.ExecuteScalarAsync())!; await Task.Delay(100))
        {
            Assert.True(DateTime.UtcNow < deadline, "No entry was chained.");
        }
    }
}
