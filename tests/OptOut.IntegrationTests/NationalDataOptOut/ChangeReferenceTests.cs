using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.NationalDataOptOut;

/// <summary>A change's reference: short and readable aloud, the same on a retry, and found only on its own record.</summary>
[Collection(OptOutServiceGroup.Name)]
public class ChangeReferenceTests(OptOutService service)
{
    [Fact]
    public async Task A_change_is_answered_with_a_reference_that_finds_it_on_the_record_and_nowhere_else()
    {
        var nhs = TestPatients.NewNhsNumber();
        var patient = service.As("patient", nhs);

        var first = await patient.PutOptOutAsync(nhs, new { optedOut = true, channel = "online" }, idempotencyKey: "ref-1");
        var retry = await patient.PutOptOutAsync(nhs, new { optedOut = true, channel = "online" }, idempotencyKey: "ref-1");
        var reference = first.Headers.GetValues("OptOut-Reference").Single();

        Assert.Matches("^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$", reference);
        Assert.Equal(reference, retry.Headers.GetValues("OptOut-Reference").Single());
        var change = await patient.GetFromJsonAsync<JsonElement>($"/v1/patients/{nhs}/changes/{reference}");
        Assert.Equal("national-data-opt-out-set", change.GetProperty("decisions")[0].GetProperty("event").GetProperty("eventType").GetString());
        Assert.Equal(reference, change.GetProperty("decisions")[0].GetProperty("reference").GetString());
        // Read aloud and typed back: any case, no hyphen, and O, I or L where 0 or 1 was meant.
        var typed = reference.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant().Replace('0', 'o').Replace('1', 'l');
        Assert.Equal(HttpStatusCode.OK, (await patient.GetAsync($"/v1/patients/{nhs}/changes/{typed}")).StatusCode);
        // Staff and the DPO find it on the record too; the patient's history names it.
        Assert.Equal(HttpStatusCode.OK, (await service.As("admin").GetAsync($"/v1/patients/{nhs}/changes/{reference}")).StatusCode);
        var history = await service.As("dpo").GetFromJsonAsync<JsonElement>($"/v1/patients/{nhs}/history");
        Assert.Equal(reference, history.GetProperty("decisions")[0].GetProperty("reference").GetString());

        // Another patient's record does not hold it, and a made-up reference finds nothing.
        var other = TestPatients.NewNhsNumber();
        Assert.Equal(HttpStatusCode.NotFound, (await service.As("patient", other).GetAsync($"/v1/patients/{other}/changes/{reference}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await patient.GetAsync($"/v1/patients/{nhs}/changes/FAKE-123")).StatusCode);
        // And a patient cannot look up changes on someone else's record.
        Assert.Equal(HttpStatusCode.Forbidden, (await service.As("patient", other).GetAsync($"/v1/patients/{nhs}/changes/{reference}")).StatusCode);
    }

    [Fact]
    public async Task Staff_given_only_a_reference_find_the_change_and_its_record_and_the_DPO_finds_its_audit_entry()
    {
        var nhs = TestPatients.NewNhsNumber();
        var reference = (await service.As("patient", nhs).PutOptOutAsync(nhs, new { optedOut = true, channel = "online" })).Headers.GetValues("OptOut-Reference").Single();

        // As read out over the phone: lower case, no hyphen.
        var found = await service.As("admin").GetFromJsonAsync<JsonElement>($"/v1/changes/{reference.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant()}");
        Assert.Equal((nhs, reference), (found.GetProperty("nhsNumber").GetString(), found.GetProperty("reference").GetString()));
        Assert.Equal("national-data-opt-out-set", found.GetProperty("decisions")[0].GetProperty("event").GetProperty("eventType").GetString());

        // The change's entry joins the chain just after the change commits: wait until it has left the pending table.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (await service.Database.ScalarAsync<long>($"select count(*) from optout.audit_pending where (record->>'Details')::jsonb->>'reference' = '{reference}'") > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the change's audit record was never chained");
            await Task.Delay(50);
        }

        var entries = await service.As("dpo").GetFromJsonAsync<JsonElement>($"/v1/audit/entries?reference={reference}");
        var entry = Assert.Single(entries.GetProperty("entries").EnumerateArray());
        Assert.Equal(("change", nhs), (entry.GetProperty("kind").GetString(), entry.GetProperty("nhsNumber").GetString()));

        // A reference no change has is a 404 that names it; one that cannot be a reference is refused before any search.
        var unknown = await service.As("admin").GetAsync("/v1/changes/ZZZZ-ZZZZ");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("ZZZZ-ZZZZ", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var malformed = await service.As("dpo").GetAsync("/v1/audit/entries?reference=%27%3Bdrop");
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Contains("reference", (await malformed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        // A patient cannot search other people's changes by reference.
        Assert.Equal(HttpStatusCode.Forbidden, (await service.As("patient", nhs).GetAsync($"/v1/changes/{reference}")).StatusCode);
    }

    [Fact]
    public async Task A_change_that_changes_nothing_has_no_reference()
    {
        var nhs = TestPatients.NewNhsNumber();
        var patient = service.As("patient", nhs);
        await patient.PutOptOutAsync(nhs, new { optedOut = true, channel = "online" });

        var again = await patient.PutOptOutAsync(nhs, new { optedOut = true, channel = "online" });

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.False(again.Headers.Contains("OptOut-Reference"));
    }
}
