using System.Net;
using System.Text;
using OptOut.IntegrationTests.Faults;
using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.Security;

/// <summary>Limits only Kestrel enforces, so the service runs as its own process with tight settings.</summary>
public class LimitsTests
{
    private static readonly Dictionary<string, string> Tight = new()
    {
        ["RateLimiting:TokenLimit"] = "20",
        ["RateLimiting:TokensPerSecond"] = "1",
    };

    [Fact]
    public async Task A_client_over_its_rate_gets_429_problems_with_Retry_After_while_other_clients_and_probes_are_served()
    {
        await using var scenario = await FaultScenario.CreateAsync();
        var service = await scenario.StartServiceAsync(overrides: Tight);
        var greedy = service.As("pipeline", subject: "greedy-pipeline");

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 40; i++)
        {
            answers.Add(await greedy.GetAsync($"/v1/opt-outs/{TestPatients.NewNhsNumber()}"));
        }

        Assert.All(answers.Take(20), a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        var refused = answers.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.True(refused.Count >= 10, $"{refused.Count} of 40 refused");
        Assert.All(refused, r =>
        {
            Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
            Assert.True(r.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        });

        Assert.Equal(HttpStatusCode.OK, (await service.As("pipeline", subject: "patient-pipeline").GetAsync($"/v1/opt-outs/{TestPatients.NewNhsNumber()}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await service.Client().GetAsync("/health/ready")).StatusCode);
    }

    [Fact]
    public async Task A_refused_write_changes_nothing()
    {
        await using var scenario = await FaultScenario.CreateAsync();
        var service = await scenario.StartServiceAsync(overrides: Tight);
        var admin = service.As("admin");

        var accepted = 0;
        for (var i = 0; i < 30; i++)
        {
            var response = await admin.PutOptOutAsync(TestPatients.NewNhsNumber(), new { optedOut = true, channel = "call-centre", patientBirthDate = TestPatients.AdultBorn });
            Assert.Contains(response.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests });
            accepted += response.IsSuccessStatusCode ? 1 : 0;
        }

        Assert.InRange(accepted, 20, 29);
        Assert.Equal(accepted, await scenario.Database.ScalarAsync<long>("select count(*) from optout.mt_events"));
    }

    [Fact]
    public async Task A_body_over_the_configured_size_is_a_413_problem_and_changes_nothing()
    {
        await using var scenario = await FaultScenario.CreateAsync();
        var service = await scenario.StartServiceAsync();
        var nhs = TestPatients.NewNhsNumber();
        var body = "{\"optedOut\":true,\"channel\":\"online\",\"noticeVersion\":\"" + new string('x', 2_000_000) + "\"}";

        var response = await service.As("patient", nhs).PutAsync(
            $"/v1/patients/{nhs}/national-data-opt-out", new StringContent(body, Encoding.UTF8, "application/json"));

        var problem = await OptOut.IntegrationTests.Http.ProblemTests.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "/problems/content-too-large");
        Assert.Contains("1 MiB", problem.GetProperty("detail").GetString());
        Assert.Equal(0, await scenario.Database.ScalarAsync<long>("select count(*) from optout.mt_events"));
    }

    [Fact]
    public async Task A_request_over_its_time_limit_is_cancelled_with_a_503_problem()
    {
        await using var scenario = await FaultScenario.CreateAsync();
        // The index would wait 60 s for a sequence nobody has written; the time limit ends it after 1 s.
        var service = await scenario.StartServiceAsync(overrides: new Dictionary<string, string>
        {
            ["RequestTimeLimits:Default"] = "00:00:01",
            ["OptOutIndex:MaxWait"] = "00:01:00",
        });

        var response = await service.As("pipeline").GetAsync($"/v1/opt-outs/{TestPatients.NewNhsNumber()}?minSequence=1000000");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("ran out of time", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await service.As("pipeline").GetAsync($"/v1/opt-outs/{TestPatients.NewNhsNumber()}")).StatusCode);
    }
}
