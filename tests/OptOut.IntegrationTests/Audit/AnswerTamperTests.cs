using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.Audit;

/// <summary>
/// A superuser's edits to what answers are read from, leaving every event and entry alone: a record's snapshot (who may
/// act for the patient, which number a merged one follows, what a cold index build reads) and the opt-out index a
/// restarted instance builds. Each changes answers; the re-verification folds every record again from its events and
/// reports each as a break, and the store verifies again once it is put back.
/// </summary>
[Collection(TamperGroup.Name)]
public class AnswerTamperTests(OptOutService service)
{
    private const string Snapshots = "optout.mt_doc_patientpreferences";

    [Fact]
    public async Task A_proxy_copied_into_another_patients_record_reads_it_and_is_a_break()
    {
        var (theirs, target) = (TestPatients.NewNhsNumber(), await OptedOutAsync());
        var proxyId = "attorney-" + Guid.NewGuid().ToString("N")[..8];
        await service.As("admin").SendJsonAsync(HttpMethod.Post, $"/v1/patients/{theirs}/proxies", new { proxyId, role = "power-of-attorney", evidenceReference = "LPA-1" }).JsonAsync();
        var attorney = service.As("proxy", subject: proxyId);
        Assert.Equal(HttpStatusCode.Forbidden, (await attorney.GetAsync($"/v1/patients/{target}/preferences")).StatusCode);

        await TamperedAsync(target, $"update {Snapshots} set data = jsonb_set(data, '{{proxies}}', (select data -> 'proxies' from {Snapshots} where id = '{theirs}')) where id = '{target}'",
            "snapshot differs from the decisions", async () =>
                Assert.Equal(HttpStatusCode.OK, (await attorney.GetAsync($"/v1/patients/{target}/preferences")).StatusCode));
    }

    [Fact]
    public async Task A_record_pointed_at_another_patients_answers_as_theirs_and_is_a_break()
    {
        var (optedOut, other) = (await OptedOutAsync(), TestPatients.NewNhsNumber());
        await service.As("admin").PutOptOutAsync(other, new { optedOut = false, channel = "paper", patientBirthDate = TestPatients.AdultBorn });
        Assert.Equal("deny", await DecisionAsync(optedOut));

        await TamperedAsync(optedOut, $"update {Snapshots} set data = jsonb_set(data, '{{supersededBy}}', '\"{other}\"') where id = '{optedOut}'",
            "snapshot differs from the decisions", async () => Assert.Equal("permit", await DecisionAsync(optedOut)));
    }

    [Fact]
    public async Task An_opt_out_cleared_in_a_snapshot_is_a_break() =>
        await TamperedAsync(await OptedOutAsync(), n => $"update {Snapshots} set data = jsonb_set(data, '{{nationalDataOptOut,optedOut}}', 'false'), national_data_opt_outopted_out = false where id = '{n}'",
            "snapshot differs from the decisions");

    [Fact]
    public async Task An_opt_out_column_cleared_alone_is_a_break() =>
        await TamperedAsync(await OptedOutAsync(), n => $"update {Snapshots} set national_data_opt_outopted_out = false where id = '{n}'", "opt-out columns differ");

    [Fact]
    public async Task A_deleted_snapshot_is_a_break() =>
        await TamperedAsync(await OptedOutAsync(), n => $"delete from {Snapshots} where id = '{n}'", "snapshot is missing");

    [Fact]
    public async Task A_snapshot_with_no_decisions_behind_it_is_a_break()
    {
        var (model, invented) = (await OptedOutAsync(), TestPatients.NewNhsNumber());
        await TamperedAsync(invented, $"insert into {Snapshots} select '{invented}', jsonb_set(data, '{{id}}', '\"{invented}\"'), mt_last_modified, mt_dotnet_type, mt_version, " +
                                      $"national_data_opt_outopted_out, type_1_opt_outdissent from {Snapshots} where id = '{model}'", "no decision behind it");
    }

    /// <summary>
    /// The index's checkpoint rewritten without a patient's opt-out (made here as the service makes one, from snapshots
    /// edited for the moment and put back, then labelled as up to date): an instance started on it tells pipelines the
    /// patient has not opted out, and its own re-verification reports its index.
    /// </summary>
    [Fact]
    public async Task An_index_started_from_a_rewritten_checkpoint_answers_wrongly_and_is_a_break()
    {
        var nhs = await OptedOutAsync();
        Assert.True(await service.OptedOutAsync(nhs));
        await using var connection = await OpenAsync();
        await Verification.ExecuteAsync(connection, $"update {Snapshots} set national_data_opt_outopted_out = false where id = '{nhs}'");
        var rewritten = await IndexBuilds.FromSnapshotsAsync(service);
        await Verification.ExecuteAsync(connection, $"update {Snapshots} set national_data_opt_outopted_out = true where id = '{nhs}'");
        try
        {
            // Labelled with the latest event, so a start replays nothing over it. The service saves its own index now and
            // then; one saved meanwhile has another label, and the rewrite is tried again.
            var relabelled = false;
            for (var attempt = 0; attempt < 5 && !relabelled; attempt++)
            {
                await Verification.ExecuteAsync(connection, "delete from optout.opt_out_index_checkpoints");
                // The live index may be past the last event (Marten's high-water mark passes numbers whose event is gone).
                var latest = Math.Max(service.Services.GetRequiredService<OptOut.Indexing.OptOutIndex>().Sequence, await service.LatestSequenceAsync());
                relabelled = await IndexBuilds.SaveCheckpointAsync(service, rewritten) is { } saved && await Verification.ExecuteAsync(connection,
                    $"update optout.opt_out_index_checkpoints set sequence = {latest}, (last_event_seq, last_event_id) = " +
                    $"(select seq_id, id from optout.mt_events where seq_id <= {latest} order by seq_id desc limit 1) where sequence = {saved}") == 1;
            }

            Assert.True(relabelled);
            await using var restarted = await ServiceProcess.StartAsync(service.Settings, service.ConnectionString, service.Servers.RabbitMq, "optout-restarted");
            var status = await restarted.As("pipeline").GetFromJsonAsync<JsonElement>($"/v1/opt-outs/{nhs}");
            Assert.False(status.GetProperty("optedOut").GetBoolean(), restarted.Output);

            var report = await restarted.As("dpo").GetFromJsonAsync<JsonElement>("/v1/audit/verification");
            Verification.AssertBroken(report, "opt-out index holds the national data opt-out");
            Assert.True(report.GetProperty("indexCheckedAt").GetInt64() > 0);
        }
        finally
        {
            // The next start builds from the snapshots instead.
            await Verification.ExecuteAsync(connection, "delete from optout.opt_out_index_checkpoints");
        }

        var mended = await Verification.AssertIntactAsync(service);
        Assert.True(mended.GetProperty("recordsChecked").GetInt64() > 0);
        Assert.True(mended.GetProperty("indexCheckedAt").GetInt64() > 0);
    }

    private Task TamperedAsync(string nhs, Func<string, string> tamper, string problem) => TamperedAsync(nhs, tamper(nhs), problem);

    private Task TamperedAsync(string nhs, string tamper, string problem) => TamperedAsync(nhs, tamper, problem, () => Task.CompletedTask);

    /// <summary>Verifies, tampers with one record's snapshot as a superuser would, shows the answer it changes, verifies, and puts the snapshot back.</summary>
    private async Task TamperedAsync(string nhs, string tamper, string problem, Func<Task> changedAnswer)
    {
        await Verification.AssertIntactAsync(service);

        await using var connection = await OpenAsync();
        await Verification.ExecuteAsync(connection, $"create temporary table snapshot_backup as select * from {Snapshots} where id = '{nhs}'");
        try
        {
            await Verification.ExecuteAsync(connection, tamper);
            await changedAnswer();

            Verification.AssertBroken(await Verification.RunAsync(service), problem);
        }
        finally
        {
            await Verification.ExecuteAsync(connection, $"""
                begin;
                delete from {Snapshots} where id = '{nhs}';
                insert into {Snapshots} select * from snapshot_backup;
                drop table snapshot_backup;
                commit;
                """);
        }

        await Verification.AssertIntactAsync(service);
    }

    private async Task<string> OptedOutAsync()
    {
        var nhs = TestPatients.NewNhsNumber();
        await service.As("admin").PutOptOutAsync(nhs, new { optedOut = true, channel = "paper", patientBirthDate = TestPatients.AdultBorn });
        return nhs;
    }

    private async Task<string> DecisionAsync(string nhs) =>
        (await service.As("pipeline").GetFromJsonAsync<JsonElement>($"/v1/decisions/{nhs}?purpose=research&dataSource=hospital")).GetProperty("decision").GetString()!;

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(service.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }
}
