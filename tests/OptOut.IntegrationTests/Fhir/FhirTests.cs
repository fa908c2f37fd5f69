using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using OptOut.IntegrationTests.Infrastructure;
using Task = System.Threading.Tasks.Task;

namespace OptOut.IntegrationTests.Fhir;

/// <summary>FHIR R4 as an integrator's client expects it; every resource served is checked by Firely's validator.</summary>
[Collection(OptOutServiceGroup.Name)]
public class FhirTests(OptOutService service)
{
    private static readonly JsonSerializerOptions Json = new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector);

    [Fact]
    public async Task A_client_discovers_the_server_from_its_CapabilityStatement()
    {
        var statement = await ReadAsync<CapabilityStatement>(await service.WithToken(null).GetAsync("/fhir/r4/metadata"));

        Assert.Equal(FHIRVersion.N4_0_1, statement.FhirVersion);
        var consent = Assert.Single(statement.Rest.Single().Resource);
        Assert.Equal("Consent", consent.Type);
        Assert.Equal(
            [CapabilityStatement.TypeRestfulInteraction.Read, CapabilityStatement.TypeRestfulInteraction.SearchType],
            consent.Interaction.Select(i => i.Code!.Value));
        Assert.Empty(FhirValidation.Errors(statement));
        // The validator is no rubber stamp: a Consent without status, scope or category fails it.
        Assert.NotEmpty(FhirValidation.Errors(new Consent()));
    }

    [Fact]
    public async Task Every_way_of_naming_the_patient_finds_the_same_valid_Consents_and_each_fullUrl_reads_back()
    {
        var nhs = await PatientWithChoicesAsync();
        var pipeline = service.As("pipeline");

        var byReference = await ReadAsync<Bundle>(await pipeline.GetAsync($"/fhir/r4/Consent?patient=Patient/{nhs}"));
        var byIdentifier = await ReadAsync<Bundle>(await pipeline.GetAsync($"/fhir/r4/Consent?patient:identifier=https://fhir.nhs.uk/Id/nhs-number|{nhs}"));
        var byNumber = await ReadAsync<Bundle>(await pipeline.GetAsync($"/fhir/r4/Consent?patient={nhs}"));

        Assert.Equal(3, byReference.Total);
        Assert.Equal(Ids(byReference), Ids(byIdentifier));
        Assert.Equal(Ids(byReference), Ids(byNumber));
        Assert.Contains("/fhir/r4/Consent?patient=", byReference.SelfLink!.ToString());
        Assert.Empty(FhirValidation.Errors(byReference));
        foreach (var entry in byReference.Entry)
        {
            Assert.Empty(FhirValidation.Errors(entry.Resource!));
            var read = await ReadAsync<Consent>(await pipeline.GetAsync(new Uri(entry.FullUrl!).PathAndQuery));
            Assert.Equal(entry.Resource!.Id, read.Id);
        }

        var research = byReference.Entry.Select(e => (Consent)e.Resource!).Single(c => c.Id == $"{nhs}-national-data-opt-out");
        Assert.Contains(research.Provision!.Purpose, p => p.System == "http://terminology.hl7.org/CodeSystem/v3-ActReason" && p.Code == "HRESCH");
    }

    [Fact]
    public async Task Status_filters_and_unknown_parameters_are_reported_or_refused_under_strict_handling()
    {
        var nhs = await PatientWithChoicesAsync();
        var pipeline = service.As("pipeline");

        var inactive = await ReadAsync<Bundle>(await pipeline.GetAsync($"/fhir/r4/Consent?patient={nhs}&status=inactive"));
        Assert.Equal(0, inactive.Total);
        // Commas in a token search mean "any of", as FHIR defines it.
        var all = await ReadAsync<Bundle>(await pipeline.GetAsync($"/fhir/r4/Consent?patient={nhs}"));
        var either = await ReadAsync<Bundle>(await pipeline.GetAsync($"/fhir/r4/Consent?patient={nhs}&status=inactive,active"));
        Assert.True(all.Total > 0);
        Assert.Equal(all.Total, either.Total);
        var lenient = await ReadAsync<Bundle>(await pipeline.GetAsync($"/fhir/r4/Consent?patient={nhs}&colour=blue"));
        Assert.Contains(lenient.Entry, e => e.Search?.Mode == Bundle.SearchEntryMode.Outcome && e.Resource is OperationOutcome o && o.Issue[0].Diagnostics!.Contains("colour", StringComparison.Ordinal));
        Assert.DoesNotContain("colour", lenient.SelfLink!.ToString());

        var strict = new HttpRequestMessage(HttpMethod.Get, $"/fhir/r4/Consent?patient={nhs}&colour=blue");
        strict.Headers.Add("Prefer", "handling=strict");
        await AssertOutcomeAsync(await pipeline.SendAsync(strict), HttpStatusCode.BadRequest, OperationOutcome.IssueType.Invalid);
        await AssertOutcomeAsync(await pipeline.GetAsync($"/fhir/r4/Consent?patient={nhs}&status=maybe"), HttpStatusCode.BadRequest, OperationOutcome.IssueType.Invalid);
    }

    [Theory]
    [InlineData("patient={0}&patient={1}", "patient may be given once")]
    [InlineData("patient={0}&patient:identifier=https://fhir.nhs.uk/Id/nhs-number|{1}", "not both")]
    [InlineData("patient={0}&status=active&status=inactive", "status may be given once")]
    public async Task A_search_naming_two_patients_or_a_parameter_twice_is_refused_not_answered_for_one(string search, string mentions)
    {
        // Both patients have choices a pipeline may read: taking either silently would answer a question not asked.
        var (first, second) = (await PatientWithChoicesAsync(), await PatientWithChoicesAsync());

        var response = await service.As("pipeline").GetAsync("/fhir/r4/Consent?" + string.Format(System.Globalization.CultureInfo.InvariantCulture, search, first, second));

        await AssertOutcomeAsync(response, HttpStatusCode.BadRequest, OperationOutcome.IssueType.Invalid);
        Assert.Contains(mentions, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("_format=xml", null, HttpStatusCode.NotAcceptable)]
    [InlineData("_format=application/fhir%2Bxml", null, HttpStatusCode.NotAcceptable)]
    [InlineData(null, "application/fhir+xml", HttpStatusCode.NotAcceptable)]
    [InlineData(null, "application/xml, text/html;q=0.9", HttpStatusCode.NotAcceptable)]
    [InlineData("_format=json", null, HttpStatusCode.OK)]
    [InlineData("_format=application/fhir%2Bjson", "application/fhir+xml", HttpStatusCode.OK)]
    [InlineData(null, "application/fhir+xml, application/fhir+json;q=0.5", HttpStatusCode.OK)]
    [InlineData(null, "*/*", HttpStatusCode.OK)]
    public async Task XML_asked_for_is_refused_with_406_rather_than_answered_in_JSON(string? format, string? accept, HttpStatusCode status)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/fhir/r4/Consent?patient={TestPatients.NewNhsNumber()}" + (format is null ? "" : "&" + format));
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        var response = await service.As("pipeline").SendAsync(request);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/fhir+json", response.Content.Headers.ContentType?.MediaType);
        if (status == HttpStatusCode.NotAcceptable)
        {
            await AssertOutcomeAsync(response, status, OperationOutcome.IssueType.NotSupported);
            Assert.Contains("JSON only", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Errors_are_OperationOutcomes_in_fhir_json()
    {
        var nhs = TestPatients.NewNhsNumber();

        await AssertOutcomeAsync(await service.WithToken(null).GetAsync($"/fhir/r4/Consent?patient={nhs}"), HttpStatusCode.Unauthorized, OperationOutcome.IssueType.Login);
        await AssertOutcomeAsync(await service.As("patient", TestPatients.NewNhsNumber()).GetAsync($"/fhir/r4/Consent?patient={nhs}"), HttpStatusCode.Forbidden, OperationOutcome.IssueType.Forbidden);
        await AssertOutcomeAsync(await service.As("pipeline").GetAsync($"/fhir/r4/Consent/{nhs}-no-such-choice"), HttpStatusCode.NotFound, OperationOutcome.IssueType.NotFound);
        await AssertOutcomeAsync(await service.As("pipeline").GetAsync("/fhir/r4/Consent"), HttpStatusCode.BadRequest, OperationOutcome.IssueType.Invalid);
    }

    private async Task<string> PatientWithChoicesAsync()
    {
        var nhs = TestPatients.NewNhsNumber();
        var patient = service.As("patient", nhs);
        await patient.PutOptOutAsync(nhs, new { optedOut = true, channel = "nhs-app" }).JsonAsync();
        await patient.SendJsonAsync(HttpMethod.Put, $"/v1/patients/{nhs}/consents/wearable-data-sharing",
            new { decision = "permit", period = new { end = DateTimeOffset.UtcNow.AddYears(1) } }).JsonAsync();
        await service.As("practice", odsCode: "A81001").SendJsonAsync(HttpMethod.Put, $"/v1/patients/{nhs}/type-1-opt-out",
            new { dissent = true, practiceOdsCode = "A81001", code = "9Nu0" }).JsonAsync();
        return nhs;
    }

    private static IEnumerable<string> Ids(Bundle bundle) => bundle.Entry.Select(e => e.FullUrl!).Order(StringComparer.Ordinal);

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response) where T : Resource
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/fhir+json", response.Content.Headers.ContentType?.MediaType);
        return JsonSerializer.Deserialize<T>(text, Json)!;
    }

    private static async Task AssertOutcomeAsync(HttpResponseMessage response, HttpStatusCode status, OperationOutcome.IssueType code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{(int)response.StatusCode}: {text}");
        Assert.Equal(new MediaTypeHeaderValue("application/fhir+json").MediaType, response.Content.Headers.ContentType?.MediaType);
        var outcome = JsonSerializer.Deserialize<OperationOutcome>(text, Json)!;
        Assert.Equal(code, outcome.Issue.Single().Code);
        Assert.False(string.IsNullOrWhiteSpace(outcome.Issue.Single().Diagnostics));
        Assert.Empty(FhirValidation.Errors(outcome));
    }
}
