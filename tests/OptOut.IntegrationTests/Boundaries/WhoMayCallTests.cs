using System.Net;
using System.Text;
using System.Text.Json;
using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.Boundaries;

/// <summary>The contract says who may call, and a refusal by the framework is audited against the patient it was about.</summary>
[Collection(OptOutServiceGroup.Name)]
public class WhoMayCallTests(OptOutService service)
{
    [Fact]
    public async Task Anonymous_operations_declare_that_they_need_no_token_and_the_rest_need_one()
    {
        var document = JsonDocument.Parse(await service.CreateClient().GetStringAsync("/swagger/v1/swagger.json")).RootElement;
        var national = document.GetProperty("paths").GetProperty("/v1/statistics/national").GetProperty("get");
        var metadata = document.GetProperty("paths").GetProperty("/fhir/r4/metadata").GetProperty("get");
        var preferences = document.GetProperty("paths").GetProperty("/v1/patients/{nhsNumber}/preferences").GetProperty("get");

        Assert.Equal(0, national.GetProperty("security").GetArrayLength());
        Assert.Equal(0, metadata.GetProperty("security").GetArrayLength());
        // A signed-in operation inherits the document's bearer requirement.
        Assert.False(preferences.TryGetProperty("security", out var own) && own.GetArrayLength() == 0);
        Assert.NotEqual(0, document.GetProperty("security").GetArrayLength());
    }

    [Theory]
    [InlineData("PUT", "text/plain", HttpStatusCode.UnsupportedMediaType)]
    [InlineData("PATCH", "application/json", HttpStatusCode.MethodNotAllowed)]
    public async Task A_framework_refusal_on_a_patients_route_names_the_patient_and_the_route(string method, string mediaType, HttpStatusCode expected)
    {
        var nhs = TestPatients.NewNhsNumber();
        var request = new HttpRequestMessage(new HttpMethod(method), $"/v1/patients/{nhs}/national-data-opt-out")
        {
            Content = new StringContent("""{"optedOut":true,"channel":"paper"}""", Encoding.UTF8, mediaType),
        };

        var response = await service.As("admin").SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        var id = response.Headers.GetValues("X-Request-Id").Single();
        var entry = (await service.QueryAsync($"select nhs_number, action from optout.audit_entries where request_id = '{id}'", r => (r.GetString(0), r.GetString(1)))).Single();
        Assert.Equal((nhs, $"{method} /v1/patients/{{nhsNumber}}/national-data-opt-out"), entry);
    }
}
