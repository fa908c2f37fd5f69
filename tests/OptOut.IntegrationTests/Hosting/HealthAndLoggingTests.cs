using System.Net;
using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.Hosting;

[Collection(OptOutServiceGroup.Name)]
public class HealthAndLoggingTests(OptOutService service)
{
    [Fact]
    public async Task Ready_and_live_answer_without_a_token_when_PostgreSQL_and_RabbitMQ_are_up()
    {
        var client = service.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        var ready = await RetryAsync(() => client.GetAsync("/health/ready"), r => r.StatusCode == HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        // Which PostgreSQL server answers as primary: on a cluster, the node Patroni promoted.
        var database = System.Text.Json.JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement.GetProperty("checks").GetProperty("postgresql");
        Assert.Matches(@"^primary [0-9.]+:[0-9]+$", database.GetProperty("Description").GetString());
    }

    [Fact]
    public async Task The_Swagger_document_describes_the_opt_out_endpoints()
    {
        var document = await service.CreateClient().GetStringAsync("/swagger/v1/swagger.json");

        Assert.Contains("/v1/patients/{nhsNumber}/national-data-opt-out", document, StringComparison.Ordinal);
        Assert.Contains("/v1/opt-outs/{nhsNumber}", document, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logs_never_contain_an_NHS_number_in_full()
    {
        var nhs = TestPatients.NewNhsNumber();
        var patient = service.As("patient", nhs);
        await patient.PutOptOutAsync(nhs, new { optedOut = true, channel = "online" });
        await patient.GetAsync($"/v1/patients/{nhs}/preferences");
        await service.As("patient", TestPatients.NewNhsNumber()).GetAsync($"/v1/patients/{nhs}/preferences");
        await service.As("pipeline").GetAsync($"/v1/opt-outs/{nhs}");
        await patient.PutOptOutAsync(nhs, new { optedOut = "bad", channel = "online" });

        Assert.NotEmpty(service.Logs.Lines);
        Assert.DoesNotContain(service.Logs.Lines, line => line.Contains(nhs, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failing_statement_logs_neither_the_NHS_number_nor_the_record_it_carried()
    {
        // A database superuser's constraint that refuses this one patient's record: every write of it fails inside
        // PostgreSQL, as a failing statement would, and Marten and the service log the failure.
        var nhs = TestPatients.NewNhsNumber();
        var constraint = $"refuse_one_patient_{Guid.NewGuid():N}";
        await service.QueryAsync($"alter table optout.mt_doc_patientpreferences add constraint {constraint} check (id <> '{nhs}') not valid; select 1", r => r.GetInt32(0));
        var errorsBefore = service.Logs.Lines.Count(l => l.StartsWith("Error", StringComparison.Ordinal));
        try
        {
            var answer = await service.As("admin").PutOptOutAsync(nhs, new { optedOut = true, channel = "paper", patientBirthDate = TestPatients.AdultBorn, caseReference = "CASE-" + nhs });
            Assert.True((int)answer.StatusCode >= 500, $"{(int)answer.StatusCode}: the write was meant to fail");
        }
        finally
        {
            await service.QueryAsync($"alter table optout.mt_doc_patientpreferences drop constraint {constraint}; select 1", r => r.GetInt32(0));
        }

        Assert.True(service.Logs.Lines.Count(l => l.StartsWith("Error", StringComparison.Ordinal)) > errorsBefore, "the failure was logged");
        Assert.Contains(service.Logs.Lines, line => line.StartsWith("Error", StringComparison.Ordinal) && line.Contains(" scope: ", StringComparison.Ordinal));
        Assert.DoesNotContain(service.Logs.Lines, line => line.Contains(nhs, StringComparison.Ordinal));
    }

    private static async Task<HttpResponseMessage> RetryAsync(Func<Task<HttpResponseMessage>> call, Func<HttpResponseMessage, bool> done)
    {
        for (var i = 0; ; i++)
        {
            var response = await call();
            if (done(response) || i == 40)
            {
                return response;
            }

            await Task.Delay(250);
        }
    }
}
