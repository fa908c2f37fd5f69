using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.NationalDataOptOut;

[Collection(OptOutServiceGroup.Name)]
public class SettingAndWithdrawingTests(OptOutService service)
{
    [Fact]
    public async Task A_patient_sets_and_withdraws_their_opt_out_and_pipelines_see_each_state()
    {
        var nhs = TestPatients.NewNhsNumber();
        var patient = service.As("patient", nhs);
        var pipeline = service.As("pipeline");

        var set = await patient.PutOptOutAsync(nhs, new { optedOut = true, channel = "nhs-app", noticeVersion = "2025-03" });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal("\"1\"", set.Headers.ETag?.Tag);
        var preferences = await set.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(preferences.GetProperty("nationalDataOptOut").GetProperty("optedOut").GetBoolean());
        Assert.Equal("nhs-app", preferences.GetProperty("nationalDataOptOut").GetProperty("channel").GetString());
        Assert.Equal("patient", preferences.GetProperty("nationalDataOptOut").GetProperty("decidedBy").GetProperty("capacity").GetString());
        Assert.True(await OptedOutAsync(pipeline, nhs));

        var withdrawn = await patient.PutOptOutAsync(nhs, new { optedOut = false, channel = "online" });
        Assert.Equal(HttpStatusCode.OK, withdrawn.StatusCode);
        Assert.Equal("\"2\"", withdrawn.Headers.ETag?.Tag);
        Assert.False(await OptedOutAsync(pipeline, nhs));

        var read = await patient.GetAsync($"/v1/patients/{nhs}/preferences");
        Assert.Equal("\"2\"", read.Headers.ETag?.Tag);
        Assert.False((await read.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("nationalDataOptOut").GetProperty("optedOut").GetBoolean());
    }

    [Fact]
    public async Task A_patient_who_never_chose_is_not_opted_out_at_version_0()
    {
        var nhs = TestPatients.NewNhsNumber();

        var read = await service.As("patient", nhs).GetAsync($"/v1/patients/{nhs}/preferences");
        var status = await service.StatusAsync(nhs);

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("\"0\"", read.Headers.ETag?.Tag);
        Assert.False(status.GetProperty("optedOut").GetBoolean());
        Assert.False(status.GetProperty("type1OptOut").GetBoolean());
    }

    [Fact]
    public async Task Numbers_written_in_groups_reach_the_same_patient()
    {
        var nhs = TestPatients.NewNhsNumber();
        var grouped = $"{nhs[..3]} {nhs[3..6]} {nhs[6..]}";
        await service.As("admin").PutOptOutAsync(Uri.EscapeDataString(grouped), new { optedOut = true, channel = "call-centre", patientBirthDate = TestPatients.AdultBorn });

        Assert.True(await OptedOutAsync(service.As("pipeline"), $"{nhs[..3]}-{nhs[3..6]}-{nhs[6..]}"));
    }

    [Fact]
    public async Task Setting_an_opt_out_that_is_already_set_records_nothing_new()
    {
        var nhs = TestPatients.NewNhsNumber();
        var patient = service.As("patient", nhs);

        await patient.PutOptOutAsync(nhs, new { optedOut = true, channel = "online" });
        var again = await patient.PutOptOutAsync(nhs, new { optedOut = true, channel = "online" });

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("\"1\"", again.Headers.ETag?.Tag);
        Assert.Equal(1, await service.EventCountAsync(nhs));
    }

    [Fact]
    public async Task A_proxys_decision_recorded_by_staff_names_the_proxy_role()
    {
        var nhs = TestPatients.NewNhsNumber();

        var response = await service.As("admin", subject: "agent-42").PutOptOutAsync(nhs, new
        {
            optedOut = true,
            channel = "paper", patientBirthDate = TestPatients.AdultBorn,
            effectiveAt = DateTimeOffset.UtcNow.AddDays(-10),
            onBehalfOf = new { role = "power-of-attorney", evidenceReference = "LPA-778812" },
            caseReference = "CASE-1234",
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var decidedBy = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("nationalDataOptOut").GetProperty("decidedBy");
        Assert.Equal("proxy", decidedBy.GetProperty("capacity").GetString());
        Assert.Equal("power-of-attorney", decidedBy.GetProperty("proxyRole").GetString());
        Assert.Equal("agent-42", decidedBy.GetProperty("recordedBy").GetString());
        // The identity check used belongs with the decision: staff took it under the contact centre's own procedure.
        Assert.Equal("contact-centre", decidedBy.GetProperty("identityCheck").GetString());
    }

    [Fact]
    public async Task A_decision_keeps_how_the_person_deciding_was_identified()
    {
        var nhs = TestPatients.NewNhsNumber();

        await service.As("patient", nhs).PutOptOutAsync(nhs, new { optedOut = true, channel = "nhs-app" });
        await service.As("practice", odsCode: "A81001").SendJsonAsync(HttpMethod.Put, $"/v1/patients/{nhs}/type-1-opt-out",
            new { dissent = true, practiceOdsCode = "A81001", code = "9Nu0" });

        var checks = (await service.As("dpo").GetFromJsonAsync<JsonElement>($"/v1/patients/{nhs}/history")).GetProperty("decisions").EnumerateArray()
            .Select(d => d.GetProperty("decidedBy").GetProperty("identityCheck").GetString());
        Assert.Equal(["sign-in-p9", "gp-practice"], checks);
    }

    [Fact]
    public async Task Staff_record_a_parents_choice_only_for_a_child_who_was_under_13_when_it_was_made()
    {
        var (tooOld, signedInTime, noDate) = (TestPatients.NewNhsNumber(), TestPatients.NewNhsNumber(), TestPatients.NewNhsNumber());
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var staff = service.As("admin");
        var parent = new { role = "guardian", evidenceReference = "BIRTH-CERT-1" };

        // A parent's phone call for a 13-year-old is refused: parental responsibility no longer lets them choose.
        var refused = await staff.PutOptOutAsync(tooOld, new { optedOut = true, channel = "call-centre", patientBirthDate = today.AddYears(-13), onBehalfOf = parent });
        // A form signed the day before the child turned 13, recorded after, stands.
        var signed = await staff.PutOptOutAsync(signedInTime, new
        {
            optedOut = true, channel = "paper", patientBirthDate = today.AddYears(-13).AddDays(-1), effectiveAt = DateTimeOffset.UtcNow.AddDays(-3), onBehalfOf = parent,
        });
        var undated = await staff.PutOptOutAsync(noDate, new { optedOut = true, channel = "call-centre", onBehalfOf = parent });

        await BadInputTests.AssertProblemAsync(refused, HttpStatusCode.UnprocessableEntity, "The patient is 13 or older: parental responsibility no longer lets a guardian decide for them.");
        Assert.Equal(HttpStatusCode.OK, signed.StatusCode);
        await BadInputTests.AssertProblemAsync(undated, HttpStatusCode.BadRequest, "patientBirthDate is required when staff record a choice");
        Assert.Equal((0, 1, 0), (await service.EventCountAsync(tooOld), await service.EventCountAsync(signedInTime), await service.EventCountAsync(noDate)));
    }

    [Fact]
    public async Task Staff_record_an_attorneys_choice_only_for_a_patient_of_18_or_over()
    {
        var (minor, adult) = (TestPatients.NewNhsNumber(), TestPatients.NewNhsNumber());
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var attorney = new { role = "power-of-attorney", evidenceReference = "LPA-778813" };

        var refused = await service.As("admin").PutOptOutAsync(minor, new { optedOut = true, channel = "call-centre", patientBirthDate = today.AddYears(-16), onBehalfOf = attorney });
        var recorded = await service.As("admin").PutOptOutAsync(adult, new { optedOut = true, channel = "call-centre", patientBirthDate = today.AddYears(-18), onBehalfOf = attorney });

        await BadInputTests.AssertProblemAsync(refused, HttpStatusCode.UnprocessableEntity, "The patient is under 18: only an adult can make a lasting power of attorney");
        Assert.Equal(HttpStatusCode.OK, recorded.StatusCode);
        Assert.Equal((0, 1), (await service.EventCountAsync(minor), await service.EventCountAsync(adult)));
    }

    [Fact]
    public async Task Staff_record_a_patients_own_choice_only_from_their_13th_birthday()
    {
        var (child, thirteen, undated) = (TestPatients.NewNhsNumber(), TestPatients.NewNhsNumber(), TestPatients.NewNhsNumber());
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var staff = service.As("admin");

        // A 12-year-old on the phone cannot opt out for themselves; their parent can (the refusal says how).
        var refused = await staff.PutOptOutAsync(child, new { optedOut = true, channel = "call-centre", patientBirthDate = today.AddYears(-13).AddDays(2) });
        var own = await staff.PutOptOutAsync(thirteen, new { optedOut = true, channel = "call-centre", patientBirthDate = today.AddYears(-13).AddDays(-1) });
        // Staff who do not say how old the patient is record nothing: no rule about who may decide could be checked.
        var notDated = await staff.PutOptOutAsync(undated, new { optedOut = true, channel = "paper" });

        await BadInputTests.AssertProblemAsync(refused, HttpStatusCode.UnprocessableEntity, "The patient was under 13 when the choice was made: a person with parental responsibility decides for them");
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        await BadInputTests.AssertProblemAsync(notDated, HttpStatusCode.BadRequest, "patientBirthDate is required when staff record a choice");
        Assert.Equal((0, 1, 0), (await service.EventCountAsync(child), await service.EventCountAsync(thirteen), await service.EventCountAsync(undated)));
    }

    private async Task<bool> OptedOutAsync(HttpClient pipeline, string nhs) =>
        (await pipeline.GetFromJsonAsync<JsonElement>($"/v1/opt-outs/{nhs}?minSequence={await service.LatestSequenceAsync()}")).GetProperty("optedOut").GetBoolean();
}
