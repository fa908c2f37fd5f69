using System.Net;
using OptOut.Cli.Tokens;
using OptOut.IntegrationTests.Infrastructure;
using OptOut.IntegrationTests.NationalDataOptOut;

namespace OptOut.IntegrationTests.Security;

[Collection(OptOutServiceGroup.Name)]
public class AuthorizationTests(OptOutService service)
{
    [Fact]
    public async Task A_patient_cannot_read_or_change_another_patients_record()
    {
        var mine = TestPatients.NewNhsNumber();
        var theirs = TestPatients.NewNhsNumber();
        var patient = service.As("patient", mine);

        var change = await patient.PutOptOutAsync(theirs, new { optedOut = true, channel = "online" });
        var read = await patient.GetAsync($"/v1/patients/{theirs}/preferences");

        await BadInputTests.AssertProblemAsync(change, HttpStatusCode.Forbidden, "own record");
        await BadInputTests.AssertProblemAsync(read, HttpStatusCode.Forbidden, "own record");
        Assert.Equal(0, await service.EventCountAsync(theirs));
    }

    [Fact]
    public async Task A_patient_token_cannot_claim_to_be_a_proxy()
    {
        var nhs = TestPatients.NewNhsNumber();

        var response = await service.As("patient", nhs).PutOptOutAsync(nhs, new
        {
            optedOut = true, channel = "online", onBehalfOf = new { role = "guardian", evidenceReference = "x" },
        });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(0, await service.EventCountAsync(nhs));
    }

    public static TheoryData<string, string> StaffOnlyDetails => new()
    {
        { """{"optedOut":true,"channel":"call-centre"}""", "channel call-centre" },
        { """{"optedOut":true,"channel":"paper"}""", "channel paper" },
        { """{"optedOut":true,"channel":"online","caseReference":"CASE-1"}""", "caseReference" },
        { """{"optedOut":true,"channel":"online","effectiveAt":"2024-01-01T00:00:00Z"}""", "effectiveAt" },
        // The patient's age comes from their NHS login; a body that claimed another could talk past the age rules.
        { """{"optedOut":true,"channel":"online","patientBirthDate":"1980-06-15"}""", "patientBirthDate is the date of birth staff confirmed" },
    };

    [Theory]
    [MemberData(nameof(StaffOnlyDetails))]
    public async Task A_patient_cannot_dress_their_own_decision_as_one_staff_received(string body, string mentions)
    {
        var nhs = TestPatients.NewNhsNumber();
        var patient = service.As("patient", nhs);

        var change = await patient.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"/v1/patients/{nhs}/national-data-opt-out")
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        });
        var consent = await patient.SendJsonAsync(HttpMethod.Put, $"/v1/patients/{nhs}/consents/research", new { decision = "deny", channel = "paper" });

        await BadInputTests.AssertProblemAsync(change, HttpStatusCode.Forbidden, mentions);
        await BadInputTests.AssertProblemAsync(consent, HttpStatusCode.Forbidden, "channel paper");
        Assert.Equal(0, await service.EventCountAsync(nhs));
        Assert.Equal(HttpStatusCode.OK, (await patient.PutOptOutAsync(nhs, new { optedOut = true, channel = "nhs-form" })).StatusCode);
    }

    [Theory]
    [InlineData("pipeline")]
    [InlineData("dpo")]
    [InlineData("practice")]
    public async Task Roles_that_only_read_cannot_change_an_opt_out(string role)
    {
        var nhs = TestPatients.NewNhsNumber();

        var response = await service.As(role, nhs).PutOptOutAsync(nhs, new { optedOut = true, channel = "online" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(0, await service.EventCountAsync(nhs));
    }

    [Fact]
    public async Task Pipelines_cannot_read_a_patients_preferences_and_patients_cannot_query_opt_out_status()
    {
        var nhs = TestPatients.NewNhsNumber();

        Assert.Equal(HttpStatusCode.Forbidden, (await service.As("pipeline").GetAsync($"/v1/patients/{nhs}/preferences")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await service.As("patient", nhs).GetAsync($"/v1/opt-outs/{nhs}")).StatusCode);
    }

    [Theory]
    [InlineData("no token")]
    [InlineData("not a JWT")]
    [InlineData("signed with another key")]
    [InlineData("unsigned (alg none)")]
    [InlineData("expired")]
    [InlineData("another issuer")]
    [InlineData("another audience")]
    public async Task A_missing_or_invalid_token_gets_401_problem(string kind)
    {
        var claims = new Dictionary<string, object> { ["role"] = "pipeline", ["sub"] = "p" };
        var foreignKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48));
        var token = kind switch
        {
            "no token" => null,
            "not a JWT" => "not-a-token",
            "signed with another key" => TokenCommand.Mint(foreignKey, claims, TimeSpan.FromMinutes(5)),
            "unsigned (alg none)" => Unsigned(TokenCommand.Mint(service.SigningKey, claims, TimeSpan.FromMinutes(5))),
            "expired" => TokenCommand.Mint(service.SigningKey, claims, TimeSpan.FromMinutes(-5)),
            "another issuer" => TokenCommand.Mint(service.SigningKey, claims, TimeSpan.FromMinutes(5), issuer: "someone-else"),
            _ => TokenCommand.Mint(service.SigningKey, claims, TimeSpan.FromMinutes(5), audience: "other-api"),
        };

        var response = await service.WithToken(token).GetAsync($"/v1/opt-outs/{TestPatients.NewNhsNumber()}");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>The same claims with the header swapped for alg "none" and the signature dropped.</summary>
    private static string Unsigned(string token)
    {
        var header = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""");
        return $"{header}.{token.Split('.')[1]}.";
    }
}
