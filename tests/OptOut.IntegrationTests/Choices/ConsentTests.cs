using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OptOut.IntegrationTests.Infrastructure;
using OptOut.IntegrationTests.NationalDataOptOut;

namespace OptOut.IntegrationTests.Choices;

[Collection(OptOutServiceGroup.Name)]
public class ConsentTests(OptOutService service)
{
    [Fact]
    public async Task A_patient_permits_wearable_data_sharing_for_a_period_then_withdraws_it()
    {
        var nhs = TestPatients.NewNhsNumber();
        var patient = service.As("patient", nhs);
        var pipeline = service.As("pipeline");
        var url = $"/v1/decisions/{nhs}?purpose=wearable-data-sharing&dataSource=other";
        Assert.Equal("deny", (await pipeline.GetFromJsonAsync<JsonElement>(url)).GetProperty("decision").GetString());

        var granted = await patient.SendJsonAsync(HttpMethod.Put, $"/v1/patients/{nhs}/consents/wearable-data-sharing", new
        {
            decision = "permit",
            period = new { start = DateTimeOffset.UtcNow.AddMinutes(-1), end = DateTimeOffset.UtcNow.AddDays(365) },
            noticeVersion = "wearables-v2",
        }).JsonAsync();
        var consent = Assert.Single(granted.GetProperty("consents").EnumerateArray());
        Assert.Equal("permit", consent.GetProperty("status").GetString());
        Assert.Equal("wearables-v2", consent.GetProperty("noticeVersion").GetString());
        Assert.Equal("permit", (await pipeline.GetFromJsonAsync<JsonElement>(url)).GetProperty("decision").GetString());

        await patient.SendJsonAsync(HttpMethod.Delete, $"/v1/patients/{nhs}/consents/wearable-data-sharing").JsonAsync();
        var after = await pipeline.GetFromJsonAsync<JsonElement>(url);
        Assert.Equal("deny", after.GetProperty("decision").GetString());
        Assert.Contains(after.GetProperty("rules").EnumerateArray(), r => r.GetProperty("rule").GetString() == "consent-required");
    }

    [Fact]
    public async Task A_purpose_outside_the_catalogue_is_not_found_and_nothing_is_written()
    {
        var nhs = TestPatients.NewNhsNumber();

        var response = await service.As("patient", nhs).SendJsonAsync(HttpMethod.Put, $"/v1/patients/{nhs}/consents/selling-to-advertisers", new { decision = "permit" });

        await BadInputTests.AssertProblemAsync(response, HttpStatusCode.NotFound, "wearable-data-sharing");
        Assert.Equal(0, await service.EventCountAsync(nhs));
    }

    [Theory]
    [InlineData("""{"decision":"permit","period":{"start":"2030-01-02T00:00:00Z","end":"2030-01-01T00:00:00Z"}}""", "after period.start")]
    [InlineData("""{"decision":"permit","period":{"end":"2020-01-01T00:00:00Z"}}""", "already past")]
    [InlineData("""{"decision":"permit","period":{"start":"2019-01-01T00:00:00Z","end":"2030-01-01T00:00:00Z"}}""", "period.start is already past")]
    [InlineData("""{"decision":"maybe"}""", "decision")]
    [InlineData("""{}""", "decision is required")]
    public async Task An_invalid_consent_is_refused_with_a_problem(string body, string mentions)
    {
        var nhs = TestPatients.NewNhsNumber();
        var request = new HttpRequestMessage(HttpMethod.Put, $"/v1/patients/{nhs}/consents/research")
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };

        var response = await service.As("patient", nhs).SendAsync(request);

        await BadInputTests.AssertProblemAsync(response, HttpStatusCode.BadRequest, mentions);
        Assert.Equal(0, await service.EventCountAsync(nhs));
    }

    [Fact]
    public async Task When_a_consents_period_ends_OptOut_records_and_publishes_its_expiry_unasked()
    {
        await using var queue = await ChangeSubscriber.BindAsync(service.Servers.RabbitMq, "OptOut.Contracts.V1:ConsentChanged");
        var nhs = TestPatients.NewNhsNumber();
        var patient = service.As("patient", nhs);

        await patient.SendJsonAsync(HttpMethod.Put, $"/v1/patients/{nhs}/consents/gp-record-access", new
        {
            decision = "permit",
            period = new { end = DateTimeOffset.UtcNow.AddSeconds(2) },
        }).JsonAsync();

        var messages = await queue.WaitForAsync(m => m.NhsNumber == nhs, 2, TimeSpan.FromSeconds(30));
        Assert.Equal(["permit", "expired"], messages.Select(m => m.Message.GetProperty("status").GetString()));
        var history = await patient.GetFromJsonAsync<JsonElement>($"/v1/patients/{nhs}/history");
        var expired = history.GetProperty("decisions").EnumerateArray().Last();
        Assert.Equal("consent-expired", expired.GetProperty("event").GetProperty("eventType").GetString());
        Assert.Equal("system", expired.GetProperty("decidedBy").GetProperty("capacity").GetString());
        Assert.Equal("deny", (await service.As("pipeline").GetFromJsonAsync<JsonElement>($"/v1/decisions/{nhs}?purpose=gp-record-access&dataSource=gp")).GetProperty("decision").GetString());
    }

    [Fact]
    public async Task A_pipeline_cannot_record_a_consent()
    {
        var nhs = TestPatients.NewNhsNumber();

        var response = await service.As("pipeline").SendJsonAsync(HttpMethod.Put, $"/v1/patients/{nhs}/consents/research", new { decision = "permit" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }
}
