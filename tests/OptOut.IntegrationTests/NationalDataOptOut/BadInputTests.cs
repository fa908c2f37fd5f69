using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.NationalDataOptOut;

[Collection(OptOutServiceGroup.Name)]
public class BadInputTests(OptOutService service)
{
    public static TheoryData<string, string> InvalidNumbers => new()
    {
        { "9434765918", "check digit" },
        { "94347659", "10 digits" },
        { "%D9%A9%D9%A4%D9%A3%D9%A4%D9%A7%D9%A6%D9%A5%D9%A9%D9%A1%D9%A9", "ASCII" },
        { "1000000010", "check digit of 10" },
        { "abc", "10 digits" },
    };

    [Theory]
    [MemberData(nameof(InvalidNumbers))]
    public async Task An_invalid_NHS_number_gets_a_problem_that_names_the_rule_and_no_event(string route, string rule)
    {
        var response = await service.As("admin").PutOptOutAsync(route, new { optedOut = true, channel = "online" });

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, rule);
        var status = await service.As("pipeline").GetAsync($"/v1/opt-outs/{route}");
        await AssertProblemAsync(status, HttpStatusCode.BadRequest, rule);
    }

    public static TheoryData<string, string> InvalidBodies => new()
    {
        { """{"channel":"online"}""", "optedOut is required" },
        { """{"optedOut":true}""", "channel is required" },
        { """{"optedOut":true,"channel":"fax"}""", "$.channel is not of the type that field takes (line 1): one of online, nhs-app, nhs-form, call-centre, paper or migrated" },
        { """{"optedOut":"yes","channel":"online"}""", "$.optedOut is not of the type that field takes (line 1): true or false" },
        { """{"optedOut":true,"channel":"online","effectiveAt":"2099-01-01T00:00:00Z"}""", "future" },
        { """{"optedOut":true,"channel":"online","effectiveAt":"2017-01-01T00:00:00Z"}""", "25 May 2018" },
        { """{"optedOut":true,"channel":"online","effectiveAt":"yesterday"}""", "effectiveAt" },
        { """{"optedOut":true,"channel":"online","onBehalfOf":{"role":"UNCLE","evidenceReference":"x"}}""", "one of guardian, power-of-attorney or court-deputy" },
        { """{"optedOut":true,"channel":"online","onBehalfOf":{"role":"guardian"}}""", "evidenceReference" },
        { """{"optedOut":true,"channel":"online","isAdmin":true}""", "isAdmin" },
        { """{"optedOut":true,"channel":"paper","patientBirthDate":"0198-06-15"}""", "patientBirthDate is more than 150 years ago: check the year" },
        { """{"optedOut":true,"channel":"online" """, "The body is not well-formed JSON (line 1" },
        { "", "body" },
        { "[]", "The body is JSON but not an object" },
        { "\"opt out\"", "The body is JSON but not an object" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task An_invalid_body_gets_a_400_problem_and_changes_nothing(string body, string mentions)
    {
        var nhs = TestPatients.NewNhsNumber();
        var request = new HttpRequestMessage(HttpMethod.Put, $"/v1/patients/{nhs}/national-data-opt-out")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };

        var response = await service.As("admin").SendAsync(request);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, mentions);
        Assert.Equal(0, await service.EventCountAsync(nhs));
    }

    [Theory]
    [InlineData("0101991231")] // Scotland's CHI
    [InlineData("3200000007")] // Northern Ireland's H&C
    public async Task A_choice_for_a_number_England_does_not_issue_is_refused_but_the_number_can_still_be_asked_about(string nhs)
    {
        var admin = service.As("admin");

        var optOut = await admin.PutOptOutAsync(nhs, new { optedOut = true, channel = "paper", patientBirthDate = TestPatients.AdultBorn });
        var merge = await admin.SendJsonAsync(HttpMethod.Post, $"/v1/patients/{TestPatients.NewNhsNumber()}/supersession", new { newNhsNumber = nhs });

        await AssertProblemAsync(optOut, HttpStatusCode.UnprocessableEntity, $"The NHS number {nhs[..3]} {nhs[3..6]} {nhs[6..]} passes the check digit, but England, Wales and the Isle of Man do not issue numbers in its range");
        await AssertProblemAsync(merge, HttpStatusCode.UnprocessableEntity, $"newNhsNumber {nhs[..3]} {nhs[3..6]} {nhs[6..]} passes the check digit");
        Assert.Equal(0, await service.EventCountAsync(nhs));
        var decision = await service.As("pipeline").GetFromJsonAsync<JsonElement>($"/v1/decisions/{nhs}?purpose=research&dataSource=hospital");
        Assert.Equal("permit", decision.GetProperty("decision").GetString());
    }

    [Theory]
    // The opt-out began on 25 May 2018 in the UK, where midnight was 23:00 UTC the day before (BST): a paper form
    // signed that day, which the staff pages send as the UK day's start, is in.
    [InlineData("2018-05-25T00:00:00+01:00", HttpStatusCode.OK)]
    [InlineData("2018-05-24T23:00:00Z", HttpStatusCode.OK)]
    [InlineData("2018-05-24T23:59:59+01:00", HttpStatusCode.BadRequest)]
    public async Task A_choice_takes_effect_from_the_start_of_25_May_2018_in_UK_time(string effectiveAt, HttpStatusCode status)
    {
        var nhs = TestPatients.NewNhsNumber();

        var response = await service.As("admin").PutOptOutAsync(nhs, new { optedOut = true, channel = "paper", patientBirthDate = TestPatients.AdultBorn, effectiveAt });

        Assert.Equal(status, response.StatusCode);
    }

    [Fact]
    public async Task Each_field_in_error_is_named_as_the_body_spells_it()
    {
        var nhs = TestPatients.NewNhsNumber();
        var optOut = await service.As("admin").SendAsync(new HttpRequestMessage(HttpMethod.Put, $"/v1/patients/{nhs}/national-data-opt-out")
        {
            Content = new StringContent("""{"optedOut":true,"channel":"paper","effectiveAt":"2099-01-01T00:00:00Z","patientBirthDate":"2099-01-01","onBehalfOf":{"role":"guardian"}}""", Encoding.UTF8, "application/json"),
        });
        var consent = await service.As("patient", nhs).SendAsync(new HttpRequestMessage(HttpMethod.Put, $"/v1/patients/{nhs}/consents/research")
        {
            Content = new StringContent("""{"decision":"permit","period":{"start":"2019-01-01T00:00:00Z","end":"2020-01-01T00:00:00Z"}}""", Encoding.UTF8, "application/json"),
        });

        Assert.Equal(["effectiveAt", "onBehalfOf.evidenceReference", "patientBirthDate"], await ErrorKeysAsync(optOut));
        Assert.Equal(["period.end", "period.start"], await ErrorKeysAsync(consent));
        Assert.Equal(0, await service.EventCountAsync(nhs));

        static async Task<string[]> ErrorKeysAsync(HttpResponseMessage response)
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            return [.. problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal)];
        }
    }

    [Fact]
    public async Task A_body_that_is_not_JSON_gets_415()
    {
        var nhs = TestPatients.NewNhsNumber();
        var request = new HttpRequestMessage(HttpMethod.Put, $"/v1/patients/{nhs}/national-data-opt-out")
        {
            Content = new StringContent("optedOut=true", Encoding.UTF8, "application/x-www-form-urlencoded"),
        };

        var response = await service.As("admin").SendAsync(request);

        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "");
        Assert.Equal(0, await service.EventCountAsync(nhs));
    }

    [Theory]
    [InlineData("3")]
    [InlineData("\"abc\"")]
    [InlineData("W/\"-1\"")]
    public async Task A_malformed_If_Match_gets_400(string ifMatch)
    {
        var nhs = TestPatients.NewNhsNumber();

        var response = await service.As("admin").PutOptOutAsync(nhs, new { optedOut = true, channel = "online", patientBirthDate = TestPatients.AdultBorn }, ifMatch: ifMatch);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "If-Match");
        Assert.Equal(0, await service.EventCountAsync(nhs));
    }

    internal static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string mentions)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.Contains(mentions, problem.GetRawText(), StringComparison.OrdinalIgnoreCase);
    }
}
