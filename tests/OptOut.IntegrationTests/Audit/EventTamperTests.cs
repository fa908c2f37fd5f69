using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.Audit;

/// <summary>
/// A superuser's edits to the decisions themselves, not the trail: each change's entry commits to its events' digest,
/// so the re-verification reports an edited, deleted or added event as a break, and the store mends when it is put back.
/// </summary>
[Collection(TamperGroup.Name)]
public class EventTamperTests(OptOutService service)
{
    [Fact]
    public async Task Each_change_and_each_import_batch_names_its_events_and_their_digest()
    {
        var (changed, imported) = (TestPatients.NewNhsNumber(), TestPatients.NewNhsNumber());
        var change = await service.As("admin").PutOptOutAsync(changed, new { optedOut = true, channel = "paper", patientBirthDate = TestPatients.AdultBorn });
        var sequence = change.Headers.GetValues("OptOut-Sequence").Single();
        await service.As("admin").PostAsync("/v1/admin/opt-out-imports", new StringContent($"nhsNumber,optedOutAt\n{imported},2021-06-15\n", Encoding.UTF8, "text/csv")).JsonAsync();

        var report = await Verification.AssertIntactAsync(service);
        Assert.True(report.GetProperty("eventsChecked").GetInt64() >= 2);
        // The import's record is chained by the leader's next look at the pending table (every 100 ms).
        var named = new List<(string Sequence, string Digest)>();
        for (var i = 0; i < 150 && named.Count < 2; i++)
        {
            await Task.Delay(i == 0 ? 0 : 100);
            named = await service.QueryAsync(
                $"select details::jsonb ->> 'eventSequence', details::jsonb ->> 'eventsDigest' from optout.audit_entries where details::jsonb ->> 'eventSequence' in ('{sequence}', " +
                $"(select seq_id::text from optout.mt_events where stream_id = '{imported}'))",
                r => (r.GetString(0), r.GetString(1)));
        }

        Assert.Equal(2, named.Count);
        Assert.All(named, n => Assert.Matches("^[0-9a-f]{64}$", n.Digest));
    }

    [Fact]
    public Task An_edited_decision_is_a_break_at_the_entry_that_recorded_it() =>
        TamperedAsync(e => $"update optout.mt_events set data = jsonb_set(data, '{{channel}}', '\"online\"') where seq_id = {e}", "were changed after they were recorded");

    [Fact]
    public Task A_decision_moved_to_another_patient_is_a_break() =>
        TamperedAsync(e => $"update optout.mt_events set stream_id = (select id from optout.mt_streams where id <> stream_id limit 1), version = 1000000 where seq_id = {e}",
            "were changed after they were recorded");

    [Fact]
    public Task A_deleted_decision_is_a_break() =>
        TamperedAsync(e => $"delete from optout.mt_events where seq_id = {e}", "is missing from the event store");

    [Fact]
    public Task A_decision_added_outside_OptOut_is_a_break() =>
        TamperedAsync(e => "insert into optout.mt_events (seq_id, id, stream_id, version, data, type, timestamp, mt_dotnet_type) " +
                           $"select nextval('optout.mt_events_sequence'), gen_random_uuid(), stream_id, version + 1000000, data, type, timestamp, mt_dotnet_type from optout.mt_events where seq_id = {e}",
            "is named by no audit entry");

    /// <summary>Records a change of its own, tampers with its event as a superuser would, verifies, and puts the event store back.</summary>
    private async Task TamperedAsync(Func<long, string> tamper, string problem)
    {
        var nhs = TestPatients.NewNhsNumber();
        var change = await service.As("admin").PutOptOutAsync(nhs, new { optedOut = true, channel = "call-centre", patientBirthDate = TestPatients.AdultBorn });
        var sequence = long.Parse(change.Headers.GetValues("OptOut-Sequence").Single(), System.Globalization.CultureInfo.InvariantCulture);
        await Verification.AssertIntactAsync(service);

        await using var connection = new NpgsqlConnection(service.ConnectionString);
        await connection.OpenAsync();
        await Verification.ExecuteAsync(connection, "create temporary table events_backup as select * from optout.mt_events");
        try
        {
            await Verification.ExecuteAsync(connection, tamper(sequence));

            Verification.AssertBroken(await Verification.RunAsync(service), problem);
        }
        finally
        {
            // Put back only what the test touched: other tests in the collection go on writing meanwhile.
            await Verification.ExecuteAsync(connection, $"""
                begin;
                delete from optout.mt_events e where e.seq_id = {sequence} or (e.version >= 1000000 and e.seq_id > {sequence});
                insert into optout.mt_events select * from events_backup where seq_id = {sequence};
                drop table events_backup;
                commit;
                """);
        }

        await Verification.AssertIntactAsync(service);
    }
}
