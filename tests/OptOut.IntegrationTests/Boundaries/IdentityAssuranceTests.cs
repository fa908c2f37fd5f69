using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.Boundaries;

/// <summary>The API, not only the pages, holds people to the proofing level that may change a choice.</summary>
[Collection(OptOutServiceGroup.Name)]
public class IdentityAssuranceTests(OptOutService service)
{
    [Theory]
    [InlineData("P5")]
    [InlineData("P0")]
    public async Task A_patient_below_P9_cannot_change_a_choice_through_the_API(string level)
    {
        var nhs = TestPatients.NewNhsNumber();
        var patient = service.WithToken(service.Settings.Token("patient", nhs, proofingLevel: level));

        var optOut = await patient.PutOptOutAsync(nhs, new { optedOut = true, channel = "online" });
        var consent = await patient.PutAsJsonAsync($"/v1/patients/{nhs}/consents/wearable-data-sharing", new { decision = "permit" });

        foreach (var refused in new[] { optOut, consent })
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Contains("P9", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(0, await service.EventCountAsync(nhs));
        // Each refusal is in the trail, under the patient's number.
        var refusals = await service.QueryAsync($"select count(*) from optout.audit_entries where nhs_number = '{nhs}' and outcome = 403", r => r.GetInt64(0));
        Assert.Equal(2, refusals.Single());
        // Reading stays open to them: only a change needs the higher level.
        Assert.Equal(HttpStatusCode.OK, (await patient.GetAsync($"/v1/patients/{nhs}/preferences")).StatusCode);
    }

    [Fact]
    public async Task A_proxy_below_P9_cannot_change_a_choice_for_the_person_they_act_for()
    {
        var child = TestPatients.NewNhsNumber();
        var authorised = await service.As("admin").PostAsJsonAsync($"/v1/patients/{child}/proxies",
            new { proxyId = $"attorney-{child}", role = "power-of-attorney", evidenceReference = "LPA-7000-1" });
        Assert.Equal(HttpStatusCode.OK, authorised.StatusCode);
        var before = await service.EventCountAsync(child);

        var proxy = service.WithToken(service.Settings.Token("proxy", subject: $"attorney-{child}", proofingLevel: "P5"));
        var response = await proxy.PutOptOutAsync(child, new { optedOut = true, channel = "online" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(before, await service.EventCountAsync(child));
    }

    [Fact]
    public async Task The_API_tells_the_pages_who_may_change_choices()
    {
        var nhs = TestPatients.NewNhsNumber();
        var basic = await service.WithToken(service.Settings.Token("patient", nhs, proofingLevel: "P5")).GetFromJsonAsync<JsonElement>("/v1/me");
        var high = await service.As("patient", nhs).GetFromJsonAsync<JsonElement>("/v1/me");

        Assert.False(basic.GetProperty("mayChangeChoices").GetBoolean());
        Assert.True(high.GetProperty("mayChangeChoices").GetBoolean());
        Assert.Equal("P9", high.GetProperty("minimumProofingLevelToChange").GetString());
    }
}
