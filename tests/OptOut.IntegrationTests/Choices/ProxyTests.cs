using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OptOut.IntegrationTests.Infrastructure;
using OptOut.IntegrationTests.NationalDataOptOut;

namespace OptOut.IntegrationTests.Choices;

[Collection(OptOutServiceGroup.Name)]
public class ProxyTests(OptOutService service)
{
    [Fact]
    public async Task An_attorney_decides_only_while_authorised_and_the_decision_records_their_capacity()
    {
        var nhs = TestPatients.NewNhsNumber();
        var proxyId = "attorney-" + Guid.NewGuid().ToString("N")[..8];
        var admin = service.As("admin");
        var attorney = service.As("proxy", subject: proxyId);

        Assert.Equal(HttpStatusCode.Forbidden, (await attorney.PutOptOutAsync(nhs, new { optedOut = true, channel = "online" })).StatusCode);

        await admin.SendJsonAsync(HttpMethod.Post, $"/v1/patients/{nhs}/proxies",
            new { proxyId, role = "power-of-attorney", evidenceReference = "LPA-7000-1234" }).JsonAsync();
        var set = await attorney.PutOptOutAsync(nhs, new { optedOut = true, channel = "online" }).JsonAsync();
        var decidedBy = set.GetProperty("nationalDataOptOut").GetProperty("decidedBy");
        Assert.Equal("proxy", decidedBy.GetProperty("capacity").GetString());
        Assert.Equal("power-of-attorney", decidedBy.GetProperty("proxyRole").GetString());
        Assert.Equal(proxyId, decidedBy.GetProperty("recordedBy").GetString());

        await admin.SendJsonAsync(HttpMethod.Delete, $"/v1/patients/{nhs}/proxies/{proxyId}?reason=revoked+by+court").JsonAsync();
        var refused = await attorney.PutOptOutAsync(nhs, new { optedOut = false, channel = "online" });
        await BadInputTests.AssertProblemAsync(refused, HttpStatusCode.Forbidden, "not currently authorised");
        Assert.True(await OptedOutAsync(nhs));
    }

    [Fact]
    public async Task A_proxy_cannot_reach_a_patient_they_are_not_authorised_for()
    {
        var mine = TestPatients.NewNhsNumber();
        var other = TestPatients.NewNhsNumber();
        await service.As("admin").SendJsonAsync(HttpMethod.Post, $"/v1/patients/{mine}/proxies",
            new { proxyId = "deputy-1", role = "court-deputy", evidenceReference = "COP-99" }).JsonAsync();
        var deputy = service.As("proxy", subject: "deputy-1");

        Assert.Equal(HttpStatusCode.Forbidden, (await deputy.PutOptOutAsync(other, new { optedOut = true, channel = "online" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await deputy.GetAsync($"/v1/patients/{other}/choices")).StatusCode);
        Assert.Equal(0, await service.EventCountAsync(other));
    }

    [Fact]
    public async Task A_guardians_authority_ends_on_the_childs_13th_birthday()
    {
        var nhs = TestPatients.NewNhsNumber();
        // A summer birthday: the authority ends at midnight BST, 23:00 UTC the day before.
        var born = new DateOnly(2020, 7, 1);

        var record = await service.As("admin").SendJsonAsync(HttpMethod.Post, $"/v1/patients/{nhs}/proxies",
            new { proxyId = "parent-1", role = "guardian", evidenceReference = "BC-1", patientBirthDate = born }).JsonAsync();

        var proxy = Assert.Single(record.GetProperty("proxies").EnumerateArray());
        Assert.Equal(new DateTimeOffset(2033, 6, 30, 23, 0, 0, TimeSpan.Zero), proxy.GetProperty("validUntil").GetDateTimeOffset());
    }

    [Fact]
    public async Task A_guardian_cannot_be_authorised_for_a_patient_aged_13_or_more()
    {
        var nhs = TestPatients.NewNhsNumber();

        var response = await service.As("admin").SendJsonAsync(HttpMethod.Post, $"/v1/patients/{nhs}/proxies",
            new { proxyId = "parent-2", role = "guardian", evidenceReference = "BC-2", patientBirthDate = DateOnly.FromDateTime(DateTime.UtcNow).AddYears(-14) });

        await BadInputTests.AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity, "13 or older");
        Assert.Equal(0, await service.EventCountAsync(nhs));
    }

    [Fact]
    public async Task An_attorney_cannot_be_authorised_for_a_patient_under_18_and_can_from_the_18th_birthday()
    {
        var (minor, adult) = (TestPatients.NewNhsNumber(), TestPatients.NewNhsNumber());
        var today = DateOnly.FromDateTime(DateTime.UtcNow);

        var refused = await service.As("admin").SendJsonAsync(HttpMethod.Post, $"/v1/patients/{minor}/proxies",
            new { proxyId = "attorney-16", role = "power-of-attorney", evidenceReference = "LPA-16", patientBirthDate = today.AddYears(-17) });
        var authorised = await service.As("admin").SendJsonAsync(HttpMethod.Post, $"/v1/patients/{adult}/proxies",
            new { proxyId = "attorney-18", role = "power-of-attorney", evidenceReference = "LPA-18", patientBirthDate = today.AddYears(-18).AddDays(-1) });

        await BadInputTests.AssertProblemAsync(refused, HttpStatusCode.UnprocessableEntity, "The patient is under 18: only an adult can make a lasting power of attorney");
        Assert.Equal(HttpStatusCode.OK, authorised.StatusCode);
        Assert.Equal((0, 1), (await service.EventCountAsync(minor), await service.EventCountAsync(adult)));
    }

    [Fact]
    public async Task A_guardian_authorisation_needs_the_childs_birth_date()
    {
        var nhs = TestPatients.NewNhsNumber();

        var response = await service.As("admin").SendJsonAsync(HttpMethod.Post, $"/v1/patients/{nhs}/proxies",
            new { proxyId = "parent-3", role = "guardian", evidenceReference = "BC-3" });

        await BadInputTests.AssertProblemAsync(response, HttpStatusCode.BadRequest, "patientBirthDate");
    }

    [Theory]
    [InlineData("", "ok", "proxyId", "proxyId is required: 1-128 letters, digits or . _ : @ -.")]
    [InlineData("a/../b", "ok", "proxyId", "proxyId is required: 1-128 letters, digits or . _ : @ -.")]
    [InlineData("parent-4", " ", "evidenceReference", "evidenceReference is required (1-128 characters).")]
    public async Task A_field_in_error_is_told_its_rule_once_and_nothing_is_recorded(string proxyId, string evidenceReference, string field, string message)
    {
        var nhs = TestPatients.NewNhsNumber();

        var response = await service.As("admin").SendJsonAsync(HttpMethod.Post, $"/v1/patients/{nhs}/proxies",
            new { proxyId, role = "power-of-attorney", evidenceReference });

        await BadInputTests.AssertProblemAsync(response, HttpStatusCode.BadRequest, message);
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.Equal([message], errors.GetProperty(field).EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(0, await service.EventCountAsync(nhs));
    }

    [Fact]
    public async Task A_patient_under_13_is_refused_and_told_who_decides()
    {
        var nhs = TestPatients.NewNhsNumber();
        var child = service.As("patient", nhs, birthDate: DateOnly.FromDateTime(DateTime.UtcNow).AddYears(-12));

        var response = await child.PutOptOutAsync(nhs, new { optedOut = true, channel = "nhs-app" });

        await BadInputTests.AssertProblemAsync(response, HttpStatusCode.Forbidden, "parental responsibility");
        Assert.Equal(0, await service.EventCountAsync(nhs));
    }

    [Fact]
    public async Task Only_staff_authorise_proxies()
    {
        var nhs = TestPatients.NewNhsNumber();

        var response = await service.As("patient", nhs).SendJsonAsync(HttpMethod.Post, $"/v1/patients/{nhs}/proxies",
            new { proxyId = "me-too", role = "power-of-attorney", evidenceReference = "x" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(0, await service.EventCountAsync(nhs));
    }

    private Task<bool> OptedOutAsync(string nhs) => service.OptedOutAsync(nhs);
}
