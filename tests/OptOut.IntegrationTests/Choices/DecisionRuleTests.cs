using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OptOut.IntegrationTests.Infrastructure;
using OptOut.IntegrationTests.NationalDataOptOut;

namespace OptOut.IntegrationTests.Choices;

/// <summary>Each rule of the decision API, named, against the real event store.</summary>
[Collection(OptOutServiceGroup.Name)]
public class DecisionRuleTests(OptOutService service)
{
    [Theory]
    [InlineData("research", "hospital", "section-251", "deny", "deny")]
    [InlineData("planning", "hospital", null, "deny", "deny")]
    [InlineData("direct-care", "hospital", null, "permit", "not-applicable")]
    [InlineData("research", "hospital", "legal-requirement", "permit", "not-applicable")]
    [InlineData("research", "hospital", "overriding-public-interest", "permit", "not-applicable")]
    [InlineData("research", "hospital", "anonymised", "permit", "not-applicable")]
    [InlineData("planning", "hospital", "ons-s45a", "permit", "not-applicable")]
    [InlineData("planning", "hospital", "invoice-validation", "permit", "not-applicable")]
    [InlineData("research", "hospital", "explicit-consent", "permit", "not-applicable")]
    public async Task National_data_opt_out_rule_applies_beyond_own_care_except_on_exempt_legal_bases(
        string purpose, string dataSource, string? legalBasis, string decision, string ruleOutcome)
    {
        var nhs = TestPatients.NewNhsNumber();
        var set = await service.As("patient", nhs).PutOptOutAsync(nhs, new { optedOut = true, channel = "online" });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);

        var answer = await DecideAsync(nhs, purpose, dataSource, legalBasis);

        Assert.Equal(decision, answer.GetProperty("decision").GetString());
        var rule = Rule(answer, "national-data-opt-out");
        Assert.Equal(ruleOutcome, rule.GetProperty("outcome").GetString());
        Assert.Equal("national-data-opt-out-set", rule.GetProperty("basedOn").GetProperty("eventType").GetString());
        Assert.True(rule.GetProperty("basedOn").GetProperty("sequence").GetInt64() > 0);
    }

    [Fact]
    public async Task No_choices_means_permit_for_research_with_no_rules_engaged()
    {
        var answer = await DecideAsync(TestPatients.NewNhsNumber(), "research", "gp", "section-251");

        Assert.Equal("permit", answer.GetProperty("decision").GetString());
        Assert.Empty(answer.GetProperty("rules").EnumerateArray());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Explicit_consent_overrides_the_opt_out_whichever_came_first(bool consentFirst)
    {
        var nhs = TestPatients.NewNhsNumber();
        var patient = service.As("patient", nhs);
        Func<Task> optOut = () => patient.PutOptOutAsync(nhs, new { optedOut = true, channel = "online" }).JsonAsync();
        Func<Task> consent = () => patient.SendJsonAsync(HttpMethod.Put, $"/v1/patients/{nhs}/consents/research", new { decision = "permit" }).JsonAsync();
        await (consentFirst ? consent : optOut)();
        await (consentFirst ? optOut : consent)();

        var answer = await DecideAsync(nhs, "research", "hospital", "section-251");

        Assert.Equal("permit", answer.GetProperty("decision").GetString());
        Assert.Equal("overridden", Rule(answer, "national-data-opt-out").GetProperty("outcome").GetString());
        Assert.Equal("consent-granted", Rule(answer, "explicit-consent").GetProperty("basedOn").GetProperty("eventType").GetString());
    }

    [Fact]
    public async Task A_refusal_for_a_purpose_denies_even_where_no_opt_out_applies()
    {
        var nhs = TestPatients.NewNhsNumber();
        await service.As("patient", nhs).SendJsonAsync(HttpMethod.Put, $"/v1/patients/{nhs}/consents/research", new { decision = "deny" }).JsonAsync();

        var answer = await DecideAsync(nhs, "research", "hospital", "legal-requirement");

        Assert.Equal("deny", answer.GetProperty("decision").GetString());
        Assert.Equal("deny", Rule(answer, "consent-refused").GetProperty("outcome").GetString());
    }

    [Theory]
    [InlineData("gp", "research", null, "deny", "deny")]
    [InlineData("hospital", "research", null, "permit", "not-applicable")]
    [InlineData("gp", "direct-care", null, "permit", "not-applicable")]
    [InlineData("gp", "planning", "overriding-public-interest", "permit", "not-applicable")]
    [InlineData("gp", "planning", "invoice-validation", "deny", "deny")]
    public async Task Type_1_rule_applies_to_identifiable_GP_data_beyond_own_care(
        string dataSource, string purpose, string? legalBasis, string decision, string ruleOutcome)
    {
        var nhs = TestPatients.NewNhsNumber();
        await service.As("practice", odsCode: "A81001").SendJsonAsync(HttpMethod.Put, $"/v1/patients/{nhs}/type-1-opt-out",
            new { dissent = true, practiceOdsCode = "A81001", code = "9Nu0" }).JsonAsync();

        var answer = await DecideAsync(nhs, purpose, dataSource, legalBasis);

        Assert.Equal(decision, answer.GetProperty("decision").GetString());
        Assert.Equal(ruleOutcome, Rule(answer, "type-1-opt-out").GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task AsOf_answers_with_what_was_known_then_and_effectiveAt_with_what_was_in_force_then()
    {
        var nhs = TestPatients.NewNhsNumber();
        var admin = service.As("admin");
        var now = DateTimeOffset.UtcNow;
        // Two paper forms, signed ten and five days ago, recorded today one after the other.
        var optedOut = await admin.PutOptOutAsync(nhs, new { optedOut = true, channel = "paper", patientBirthDate = TestPatients.AdultBorn, effectiveAt = now.AddDays(-10) }).JsonAsync();
        var knownThen = optedOut.GetProperty("nationalDataOptOut").GetProperty("recordedAt").GetDateTimeOffset();
        await Clock.PastAsync(knownThen);
        await admin.PutOptOutAsync(nhs, new { optedOut = false, channel = "paper", patientBirthDate = TestPatients.AdultBorn, effectiveAt = now.AddDays(-5) }).JsonAsync();

        Assert.Equal("permit", (await DecideAsync(nhs, "research", "hospital", null)).GetProperty("decision").GetString());
        Assert.Equal("deny", (await DecideAsync(nhs, "research", "hospital", null, effectiveAt: now.AddDays(-7))).GetProperty("decision").GetString());
        Assert.Equal("permit", (await DecideAsync(nhs, "research", "hospital", null, effectiveAt: now.AddDays(-3))).GetProperty("decision").GetString());
        Assert.Equal("permit", (await DecideAsync(nhs, "research", "hospital", null, effectiveAt: now.AddDays(-11))).GetProperty("decision").GetString());
        var asKnownThen = await DecideAsync(nhs, "research", "hospital", null, asOf: knownThen);
        Assert.Equal("deny", asKnownThen.GetProperty("decision").GetString());
        Assert.Equal(knownThen, asKnownThen.GetProperty("knownAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task A_change_of_mind_between_two_instants_is_answered_for_each()
    {
        var nhs = TestPatients.NewNhsNumber();
        var patient = service.As("patient", nhs);
        var set = await patient.PutOptOutAsync(nhs, new { optedOut = true, channel = "online" }).JsonAsync();
        var whileOptedOut = set.GetProperty("nationalDataOptOut").GetProperty("recordedAt").GetDateTimeOffset();
        await Clock.PastAsync(whileOptedOut);
        await patient.PutOptOutAsync(nhs, new { optedOut = false, channel = "online" }).JsonAsync();

        Assert.Equal("deny", (await DecideAsync(nhs, "planning", "hospital", null, asOf: whileOptedOut)).GetProperty("decision").GetString());
        Assert.Equal("permit", (await DecideAsync(nhs, "planning", "hospital", null)).GetProperty("decision").GetString());
        Assert.Equal("permit", (await DecideAsync(nhs, "planning", "hospital", null, asOf: whileOptedOut.AddSeconds(-30))).GetProperty("decision").GetString());
    }

    [Theory]
    [InlineData("purpose=astrology&dataSource=gp", "purpose 'astrology' is not in the catalogue: it is one of: direct-care, ")]
    [InlineData("dataSource=gp", "purpose is required, one of")]
    [InlineData("purpose=research", "dataSource is required, one of")]
    [InlineData("purpose=research&dataSource=moon", "dataSource 'moon' is not in the catalogue: it is one of: gp, hospital, other, social-care.")]
    [InlineData("purpose=research&dataSource=gp&legalBasis=because", "legalBasis 'because' is not in the catalogue: it is one of: ")]
    [InlineData("purpose=research&dataSource=gp&asOf=yesterday", "asOf is not an ISO 8601 date-time with its offset")]
    // .NET would read 07/12/2026 as 12 July, a UK reader as 7 December: neither is guessed.
    [InlineData("purpose=research&dataSource=gp&asOf=07/12/2026", "asOf is not an ISO 8601 date-time with its offset")]
    [InlineData("purpose=research&dataSource=gp&effectiveAt=2026-06-01T00:00:00", "effectiveAt has no offset: add Z for UTC, or +01:00 for British Summer Time.")]
    [InlineData("purpose=research&dataSource=gp&asOf=2026-06-01T00:00:00+01:00", "asOf has a space where its offset's + should be: in a query string, send + as %2B.")]
    [InlineData("purpose=research&dataSource=gp&asOf=2999-01-01T00:00:00Z", "future")]
    public async Task An_invalid_question_gets_a_400_problem(string query, string mentions)
    {
        var response = await service.As("pipeline").GetAsync($"/v1/decisions/{TestPatients.NewNhsNumber()}?{query}");

        await BadInputTests.AssertProblemAsync(response, HttpStatusCode.BadRequest, mentions);
    }

    private async Task<JsonElement> DecideAsync(string nhs, string purpose, string dataSource, string? legalBasis, DateTimeOffset? asOf = null, DateTimeOffset? effectiveAt = null)
    {
        var url = $"/v1/decisions/{nhs}?purpose={purpose}&dataSource={dataSource}"
                  + (legalBasis is null ? "" : $"&legalBasis={legalBasis}")
                  + (asOf is null ? "" : $"&asOf={Uri.EscapeDataString(asOf.Value.ToString("O"))}")
                  + (effectiveAt is null ? "" : $"&effectiveAt={Uri.EscapeDataString(effectiveAt.Value.ToString("O"))}");
        return await service.As("pipeline").GetAsync(url).JsonAsync();
    }

    private static JsonElement Rule(JsonElement answer, string name) =>
        answer.GetProperty("rules").EnumerateArray().Single(r => r.GetProperty("rule").GetString() == name);
}
