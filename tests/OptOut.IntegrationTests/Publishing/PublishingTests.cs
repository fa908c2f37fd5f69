using System.Net;
using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.Publishing;

[Collection(OptOutServiceGroup.Name)]
public class PublishingTests(OptOutService service)
{
    private const string Exchange = "OptOut.Contracts.V1:NationalDataOptOutChanged";

    [Fact]
    public async Task Every_change_arrives_on_a_RabbitMQ_queue_in_order_with_the_event_id_as_message_id()
    {
        await using var queue = await ChangeSubscriber.BindAsync(service.Servers.RabbitMq, Exchange);
        var nhs = TestPatients.NewNhsNumber();
        var patient = service.As("patient", nhs);

        await patient.PutOptOutAsync(nhs, new { optedOut = true, channel = "online" });
        await patient.PutOptOutAsync(nhs, new { optedOut = false, channel = "online" });
        await patient.PutOptOutAsync(nhs, new { optedOut = true, channel = "nhs-app" });

        var messages = await queue.WaitForAsync(m => m.NhsNumber == nhs, 3, TimeSpan.FromSeconds(30));
        Assert.Equal([true, false, true], messages.Select(m => m.OptedOut));
        Assert.Equal([1L, 2L, 3L], messages.Select(m => m.StreamVersion));
        Assert.All(messages, m => Assert.Equal(m.EventId, m.MessageId));
    }

    [Fact]
    public async Task Changes_made_while_the_broker_is_down_are_accepted_and_published_when_it_returns()
    {
        await using var queue = await ChangeSubscriber.BindAsync(service.Servers.RabbitMq, Exchange);
        var patients = Enumerable.Range(0, 5).Select(_ => TestPatients.NewNhsNumber()).ToList();
        var admin = service.As("admin");

        await service.Servers.Broker.StopAsync();
        try
        {
            foreach (var nhs in patients)
            {
                var set = await admin.PutOptOutAsync(nhs, new { optedOut = true, channel = "call-centre", patientBirthDate = TestPatients.AdultBorn });
                Assert.Equal(HttpStatusCode.OK, set.StatusCode);
                var withdrawn = await admin.PutOptOutAsync(nhs, new { optedOut = false, channel = "call-centre", patientBirthDate = TestPatients.AdultBorn });
                Assert.Equal(HttpStatusCode.OK, withdrawn.StatusCode);
            }

            Assert.Equal(HttpStatusCode.ServiceUnavailable, await ReadinessAsync(HttpStatusCode.ServiceUnavailable));
        }
        finally
        {
            await service.Servers.Broker.StartAsync();
        }

        var messages = await queue.WaitForAsync(m => patients.Contains(m.NhsNumber), 10, TimeSpan.FromSeconds(60));
        Assert.Equal(HttpStatusCode.OK, await ReadinessAsync(HttpStatusCode.OK));
        Assert.Equal(10, messages.Count);
        foreach (var nhs in patients)
        {
            Assert.Equal([1L, 2L], messages.Where(m => m.NhsNumber == nhs).Select(m => m.StreamVersion));
        }
    }

    /// <summary>
    /// Other instances hear of a change from the NOTIFY sent after its commit (every instance's daemon LISTENs on Marten's
    /// channel); without it they would wait for their next poll. The NOTIFY is the service's own, outside the change's
    /// transaction, since Marten's inside it made changes commit one at a time.
    /// </summary>
    [Fact]
    public async Task An_acknowledged_change_wakes_the_daemons_listening_for_appends()
    {
        await using var listener = new Npgsql.NpgsqlConnection(service.ConnectionString);
        await listener.OpenAsync();
        await using (var listen = new Npgsql.NpgsqlCommand("LISTEN mt_events_appended", listener))
        {
            await listen.ExecuteNonQueryAsync();
        }

        var woken = 0;
        listener.Notification += (_, e) => woken += e.Channel == "mt_events_appended" ? 1 : 0;

        var set = await service.As("admin").PutOptOutAsync(TestPatients.NewNhsNumber(), new { optedOut = true, channel = "call-centre", patientBirthDate = TestPatients.AdultBorn });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);

        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (woken == 0)
        {
            await listener.WaitAsync(patience.Token);
        }
    }

    /// <summary>The bus notices a lost connection within seconds, not at once: poll until readiness says so.</summary>
    private async Task<HttpStatusCode> ReadinessAsync(HttpStatusCode expected)
    {
        var client = service.CreateClient();
        var status = HttpStatusCode.OK;
        for (var i = 0; i < 60; i++)
        {
            status = (await client.GetAsync("/health/ready")).StatusCode;
            if (status == expected)
            {
                break;
            }

            await Task.Delay(250);
        }

        return status;
    }
}
