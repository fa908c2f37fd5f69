using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OptOut.IntegrationTests.Infrastructure;
using OptOut.Records;

namespace OptOut.IntegrationTests.Choices;

[Collection(OptOutServiceGroup.Name)]
public class SupersessionTests(OptOutService service)
{
    [Fact]
    public async Task The_old_numbers_choices_follow_the_patient_and_either_number_answers_for_both()
    {
        await using var queue = await ChangeSubscriber.BindAsync(service.Servers.RabbitMq, "OptOut.Contracts.V1:NhsNumberSuperseded");
        var old = TestPatients.NewNhsNumber();
        var replacement = TestPatients.NewNhsNumber();
        var admin = service.As("admin");
        var pipeline = service.As("pipeline");
        await admin.PutOptOutAsync(old, new { optedOut = true, channel = "call-centre", patientBirthDate = TestPatients.AdultBorn });

        var merged = await admin.SendJsonAsync(HttpMethod.Post, $"/v1/patients/{old}/supersession", new { newNhsNumber = replacement }).JsonAsync();

        Assert.Equal(replacement, merged.GetProperty("nhsNumber").GetString());
        Assert.Equal([old], merged.GetProperty("supersedes").EnumerateArray().Select(x => x.GetString()));
        Assert.True(await service.OptedOutAsync(replacement));
        Assert.True(await service.OptedOutAsync(old));

        // A change through the old number lands on the patient's record, and both numbers see it.
        await service.As("patient", old).PutOptOutAsync(old, new { optedOut = false, channel = "nhs-app" }).JsonAsync();
        Assert.False(await service.OptedOutAsync(replacement));
        Assert.False(await service.OptedOutAsync(old));

        var message = Assert.Single(await queue.WaitForAsync(m => m.Message.GetProperty("supersededNhsNumber").GetString() == old, 1, TimeSpan.FromSeconds(20)));
        Assert.Equal(replacement, message.NhsNumber);
    }

    [Fact]
    public async Task Repeating_a_supersession_records_nothing_and_a_second_merge_of_the_old_number_conflicts()
    {
        var old = TestPatients.NewNhsNumber();
        var replacement = TestPatients.NewNhsNumber();
        var admin = service.As("admin");
        await admin.SendJsonAsync(HttpMethod.Post, $"/v1/patients/{old}/supersession", new { newNhsNumber = replacement }).JsonAsync();

        var again = await admin.SendJsonAsync(HttpMethod.Post, $"/v1/patients/{old}/supersession", new { newNhsNumber = replacement });
        var elsewhere = await admin.SendJsonAsync(HttpMethod.Post, $"/v1/patients/{old}/supersession", new { newNhsNumber = TestPatients.NewNhsNumber() });

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, elsewhere.StatusCode);
        Assert.Equal(1, await service.EventCountAsync(old));
        Assert.Equal(1, await service.EventCountAsync(replacement));

        // Merged on again, the refusal names the number that stands now, so staff can put it right from the message.
        var third = TestPatients.NewNhsNumber();
        await admin.SendJsonAsync(HttpMethod.Post, $"/v1/patients/{replacement}/supersession", new { newNhsNumber = third }).JsonAsync();
        var stale = await admin.SendJsonAsync(HttpMethod.Post, $"/v1/patients/{old}/supersession", new { newNhsNumber = TestPatients.NewNhsNumber() });
        await NationalDataOptOut.BadInputTests.AssertProblemAsync(stale, HttpStatusCode.Conflict,
            $"{old} has already been merged into {replacement}, and that into {third}: merge {third} instead, the number that stands now.");
    }

    [Fact]
    public async Task A_supersession_takes_the_shared_write_path_with_its_key_its_precondition_and_one_audit_entry()
    {
        var old = TestPatients.NewNhsNumber();
        var replacement = TestPatients.NewNhsNumber();
        var admin = service.As("admin");
        await admin.PutOptOutAsync(old, new { optedOut = true, channel = "call-centre", patientBirthDate = TestPatients.AdultBorn }).JsonAsync();

        var stale = await Send(admin, old, replacement, ifMatch: "\"0\"");
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);

        var first = await Send(admin, old, replacement, ifMatch: "\"1\"", key: "merge-1");
        var retry = await Send(admin, old, replacement, ifMatch: "\"1\"", key: "merge-1");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());
        Assert.True(retry.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(first.Headers.GetValues("OptOut-Sequence"), retry.Headers.GetValues("OptOut-Sequence"));
        Assert.Equal((2L, 1L), (await service.EventCountAsync(old), await service.EventCountAsync(replacement)));
        // Read after acknowledgement: the old number answers as the new one at once.
        Assert.True((await service.As("pipeline").GetFromJsonAsync<JsonElement>($"/v1/opt-outs/{replacement}")).GetProperty("optedOut").GetBoolean());
    }

    private static Task<HttpResponseMessage> Send(HttpClient admin, string old, string replacement, string ifMatch, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/patients/{old}/supersession") { Content = JsonContent.Create(new { newNhsNumber = replacement }) };
        request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        return admin.SendAsync(request);
    }

    [Theory]
    [InlineData("9434765918")]
    [InlineData("")]
    public async Task An_invalid_new_number_is_refused(string newNhsNumber)
    {
        var old = TestPatients.NewNhsNumber();

        var response = await service.As("admin").SendJsonAsync(HttpMethod.Post, $"/v1/patients/{old}/supersession", new { newNhsNumber });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(0, await service.EventCountAsync(old));
    }
}
