using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;
using Hl7.Fhir.Serialization;
using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.Choices;

[Collection(OptOutServiceGroup.Name)]
public class ReadingChoicesTests(OptOutService service)
{
    [Fact]
    public async Task History_lists_every_decision_in_order_with_actor_capacity_channel_and_both_times()
    {
        var nhs = TestPatients.NewNhsNumber();
        await service.As("patient", nhs).PutOptOutAsync(nhs, new { optedOut = true, channel = "nhs-app" }).JsonAsync();
        await service.As("admin", subject: "agent-9").PutOptOutAsync(nhs, new
        {
            optedOut = false, channel = "paper", patientBirthDate = TestPatients.AdultBorn, effectiveAt = DateTimeOffset.UtcNow.AddDays(-1),
            onBehalfOf = new { role = "court-deputy", evidenceReference = "COP-1" },
        }).JsonAsync();

        var history = await service.As("dpo").GetFromJsonAsync<JsonElement>($"/v1/patients/{nhs}/history");

        var entries = history.GetProperty("decisions").EnumerateArray().ToList();
        Assert.Equal(2, entries.Count);
        Assert.Equal(("patient", "nhs-app"), (entries[0].GetProperty("decidedBy").GetProperty("capacity").GetString(), entries[0].GetProperty("channel").GetString()));
        var proxy = entries[1].GetProperty("decidedBy");
        Assert.Equal(("proxy", "court-deputy", "paper", "agent-9"), (proxy.GetProperty("capacity").GetString(), proxy.GetProperty("proxyRole").GetString(), entries[1].GetProperty("channel").GetString(), proxy.GetProperty("recordedBy").GetString()));
        Assert.True(entries[1].GetProperty("event").GetProperty("effectiveAt").GetDateTimeOffset() < entries[1].GetProperty("event").GetProperty("recordedAt").GetDateTimeOffset());
        Assert.True(entries[0].GetProperty("event").GetProperty("sequence").GetInt64() < entries[1].GetProperty("event").GetProperty("sequence").GetInt64());
    }

    [Fact]
    public async Task Choices_list_everything_in_force_with_the_event_each_rests_on()
    {
        var nhs = TestPatients.NewNhsNumber();
        var patient = service.As("patient", nhs);
        await patient.PutOptOutAsync(nhs, new { optedOut = true, channel = "nhs-app" }).JsonAsync();
        await patient.SendJsonAsync(HttpMethod.Put, $"/v1/patients/{nhs}/consents/wearable-data-sharing", new { decision = "permit" }).JsonAsync();

        var choices = (await patient.GetFromJsonAsync<JsonElement>($"/v1/patients/{nhs}/choices")).GetProperty("choices").EnumerateArray().ToList();

        Assert.Equal(["national-data-opt-out", "consent"], choices.Select(c => c.GetProperty("kind").GetString()));
        Assert.All(choices, c => Assert.Equal(nhs, c.GetProperty("basedOn").GetProperty("nhsNumber").GetString()));
        Assert.Equal("consent-granted", choices[1].GetProperty("basedOn").GetProperty("eventType").GetString());
    }

    [Fact]
    public async Task The_FHIR_endpoint_returns_Consent_resources_that_the_Firely_parser_reads_back()
    {
        var nhs = TestPatients.NewNhsNumber();
        var patient = service.As("patient", nhs);
        await patient.PutOptOutAsync(nhs, new { optedOut = true, channel = "nhs-app" }).JsonAsync();
        var end = DateTimeOffset.UtcNow.AddDays(90);
        await patient.SendJsonAsync(HttpMethod.Put, $"/v1/patients/{nhs}/consents/wearable-data-sharing", new { decision = "permit", period = new { end } }).JsonAsync();

        var response = await service.As("pipeline").GetAsync($"/fhir/r4/Consent?patient=https://fhir.nhs.uk/Id/nhs-number|{nhs}");

        Assert.Equal("application/fhir+json", response.Content.Headers.ContentType?.MediaType);
        var bundle = JsonSerializer.Deserialize<Bundle>(await response.Content.ReadAsStringAsync(), new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector))!;
        Assert.Equal(Bundle.BundleType.Searchset, bundle.Type);
        var consents = bundle.Entry.Select(e => Assert.IsType<Consent>(e.Resource)).ToList();
        Assert.Equal(2, consents.Count);
        Assert.All(consents, c =>
        {
            Assert.Equal(Consent.ConsentState.Active, c.Status);
            Assert.Equal("https://fhir.nhs.uk/Id/nhs-number", c.Patient!.Identifier!.System);
            Assert.Equal(nhs, c.Patient!.Identifier!.Value);
            Assert.NotEmpty(c.Policy);
            Assert.NotNull(c.DateTime);
        });
        Assert.Equal(Consent.ConsentProvisionType.Deny, consents[0].Provision!.Type);
        // HL7 v3 ActReason: healthcare research and healthcare operations (planning).
        Assert.Equal(["HRESCH", "HOPERAT"], consents[0].Provision!.Purpose.Select(p => p.Code));
        Assert.Equal(Consent.ConsentProvisionType.Permit, consents[1].Provision!.Type);
        Assert.Equal(end.ToUnixTimeSeconds(), consents[1].Provision!.Period!.EndElement!.ToDateTimeOffset(TimeSpan.Zero).ToUnixTimeSeconds());
    }

    [Fact]
    public async Task A_patient_cannot_read_another_patients_FHIR_consents_history_or_choices()
    {
        var mine = TestPatients.NewNhsNumber();
        var theirs = TestPatients.NewNhsNumber();
        var patient = service.As("patient", mine);

        Assert.Equal(HttpStatusCode.Forbidden, (await patient.GetAsync($"/fhir/r4/Consent?patient={theirs}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await patient.GetAsync($"/v1/patients/{theirs}/history")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await patient.GetAsync($"/v1/patients/{theirs}/choices")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await service.As("pipeline").GetAsync($"/v1/patients/{theirs}/history")).StatusCode);
    }
}
