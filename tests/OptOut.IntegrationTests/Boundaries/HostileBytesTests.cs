using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.Boundaries;

/// <summary>
/// Bytes that PostgreSQL cannot store or that change what a reader sees stop at the edge: a 400 naming where they were,
/// nothing changed, the refusal itself in the audit trail, and nobody else's request failed with it.
/// </summary>
[Collection(OptOutServiceGroup.Name)]
public class HostileBytesTests(OptOutService service)
{
    public static TheoryData<string> Unsafe => ["\u0000", "\u001b[31m", "\u0007", "\u202e", "line\r\nbreak", "\u0085"];

    [Theory]
    [MemberData(nameof(Unsafe))]
    public async Task Unsafe_characters_in_any_stored_text_field_are_refused_naming_the_field(string text)
    {
        var nhs = TestPatients.NewNhsNumber();
        var admin = service.As("admin");
        var bodies = new (string Field, object Body)[]
        {
            ("$.caseReference", new { optedOut = true, channel = "call-centre", patientBirthDate = TestPatients.AdultBorn, caseReference = "CASE-" + text }),
            ("$.noticeVersion", new { optedOut = true, channel = "call-centre", patientBirthDate = TestPatients.AdultBorn, noticeVersion = text }),
            ("$.onBehalfOf.evidenceReference", new { optedOut = true, channel = "paper", patientBirthDate = TestPatients.AdultBorn, onBehalfOf = new { role = "power-of-attorney", evidenceReference = "LPA" + text } }),
        };
        foreach (var (field, body) in bodies)
        {
            var response = await admin.PutOptOutAsync(nhs, body);
            await AssertRefusedAsync(response, field);
        }

        await AssertRefusedAsync(await admin.DeleteAsync($"/v1/patients/{nhs}/proxies/someone?reason={Uri.EscapeDataString("moved" + text)}"), "'reason'");
        await AssertRefusedAsync(await service.As("pipeline").GetAsync($"/v1/opt-outs/{nhs}?purpose={Uri.EscapeDataString(text)}"), "'purpose'");
        await AssertRefusedAsync(await service.As("dpo").GetAsync($"/fhir/r4/Consent?patient={Uri.EscapeDataString(nhs + text)}"), "'patient'");
        if (!text.Contains('\0', StringComparison.Ordinal))
        {
            // Kestrel itself answers 400 to a NUL in the path before any of OptOut runs (the test server throws instead).
            await AssertRefusedAsync(await admin.PutOptOutAsync(Uri.EscapeDataString(nhs + text), new { optedOut = true, channel = "paper", patientBirthDate = TestPatients.AdultBorn }), "path");
        }

        Assert.Equal(0, await service.EventCountAsync(nhs));
    }

    [Fact]
    public async Task A_header_with_a_control_character_is_refused_naming_the_header()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/opt-outs/{TestPatients.NewNhsNumber()}");
        request.Headers.TryAddWithoutValidation("X-Purpose", "research\u001b[2J");
        await AssertRefusedAsync(await service.As("pipeline").SendAsync(request), "'X-Purpose'");
    }

    [Theory]
    [InlineData("""{"optedOut":false,"optedOut":true,"channel":"paper"}""", "$.optedOut")]
    [InlineData("""{"OptedOut":false,"optedOut":true,"channel":"paper"}""", "$.optedOut")]
    [InlineData("""{"optedOut":true,"channel":"paper","onBehalfOf":{"role":"guardian","Role":"power-of-attorney","evidenceReference":"x"}}""", "$.onBehalfOf.Role")]
    public async Task A_property_given_twice_in_any_letter_case_is_refused(string body, string field)
    {
        var nhs = TestPatients.NewNhsNumber();
        var request = new HttpRequestMessage(HttpMethod.Put, $"/v1/patients/{nhs}/national-data-opt-out") { Content = new StringContent(body, Encoding.UTF8, "application/json") };

        await AssertRefusedAsync(await service.As("admin").SendAsync(request), field);
        Assert.Equal(0, await service.EventCountAsync(nhs));
    }

    [Fact]
    public async Task A_stated_purpose_is_bounded_and_an_anonymous_one_is_not_kept()
    {
        var tooLong = await service.As("pipeline").GetAsync($"/v1/opt-outs/{TestPatients.NewNhsNumber()}?purpose={new string('p', 257)}");
        await AssertRefusedAsync(tooLong, "256 characters");

        var anonymous = await service.WithToken(null).GetAsync($"/v1/statistics/national?purpose={Uri.EscapeDataString("free text that anyone could write")}");
        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
        var kept = await EntryAsync(anonymous, "purpose");
        Assert.Null(kept);
    }

    [Fact]
    public async Task Malformed_requests_beside_honest_ones_fail_alone()
    {
        var honest = Enumerable.Range(0, 4).Select(_ => TestPatients.NewNhsNumber()).ToList();
        var malformed = new List<HttpResponseMessage>();
        var honestAnswers = new List<HttpStatusCode>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(6));
        async Task Honest(string nhs)
        {
            var client = service.As("pipeline", subject: "honest-" + nhs);
            while (!stop.IsCancellationRequested)
            {
                var answer = await client.GetAsync($"/v1/opt-outs/{nhs}?purpose=research");
                lock (honestAnswers)
                {
                    honestAnswers.Add(answer.StatusCode);
                }
            }
        }

        async Task Hostile(int n)
        {
            var client = service.As("pipeline", subject: "hostile-" + n);
            string[] paths = [$"/v1/opt-outs/{honest[0]}?purpose=%00", "/fhir/r4/Consent?patient=%00", $"/v1/opt-outs/{honest[1]}?purpose=%E2%80%AE"];
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var answer = await client.GetAsync(paths[i % paths.Length]);
                lock (malformed)
                {
                    malformed.Add(answer);
                }
            }
        }

        await Task.WhenAll(honest.Select(Honest).Concat(Enumerable.Range(0, 2).Select(Hostile)));

        Assert.NotEmpty(honestAnswers);
        Assert.All(honestAnswers, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.NotEmpty(malformed);
        Assert.All(malformed, answer => Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode));
        var ids = malformed.Select(m => m.Headers.GetValues("X-Request-Id").Single()).ToArray();
        var audited = await service.QueryAsync(
            $"select count(distinct request_id) from optout.audit_entries where outcome = 400 and request_id = any(array['{string.Join("','", ids)}'])", r => r.GetInt64(0));
        Assert.Equal(ids.Distinct().Count(), audited.Single());
    }

    private async Task<string?> EntryAsync(HttpResponseMessage response, string column)
    {
        var id = response.Headers.GetValues("X-Request-Id").Single();
        var values = await service.QueryAsync($"select {column} from optout.audit_entries where request_id = '{id}'", r => r.IsDBNull(0) ? null : r.GetString(0));
        return values.Single();
    }

    private async Task AssertRefusedAsync(HttpResponseMessage response, string named)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {response.RequestMessage?.RequestUri}: {body}");
        // Under /fhir a problem is a FHIR OperationOutcome, its detail in the issue's diagnostics.
        var fhir = response.RequestMessage!.RequestUri!.AbsolutePath.StartsWith("/fhir/", StringComparison.Ordinal);
        Assert.Equal(fhir ? "application/fhir+json" : "application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        var detail = fhir ? problem.GetProperty("issue")[0].GetProperty("diagnostics").GetString() : problem.GetProperty("detail").GetString();
        Assert.Contains(named, detail, StringComparison.Ordinal);
        // The refusal is itself in the trail, against the caller who sent it.
        Assert.Equal("400", await EntryAsync(response, "outcome::text"));
        Assert.StartsWith("test-", await EntryAsync(response, "actor"), StringComparison.Ordinal);
    }
}
