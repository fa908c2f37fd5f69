using System.Net;
using Npgsql;
using OptOut.IntegrationTests.Faults;
using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.Audit;

/// <summary>
/// The trail is partitioned by sequence range (1,024 entries each under test settings): entries, a patient's history
/// and the verifier run across partitions as across one table; every partition keeps the append-only guards; a trail
/// written before partitioning becomes the first partition untouched; and the function that makes partitions (which
/// runs as the tables' owner) refuses arguments that would make tables the trail does not need.
/// </summary>
public class AuditPartitionTests
{
    [Fact]
    public async Task A_trail_across_partitions_reads_verifies_and_refuses_edits_in_every_partition()
    {
        await using var scenario = await FaultScenario.CreateAsync();
        var service = await scenario.StartServiceAsync();
        var nhs = TestPatients.NewNhsNumber();
        await service.As("patient", nhs).PutOptOutAsync(nhs, new { optedOut = true, channel = "online" }).JsonAsync();
        var pipeline = service.As("pipeline");
        for (var round = 0; round < 3; round++)
        {
            Assert.Equal(HttpStatusCode.OK, (await pipeline.GetAsync($"/v1/opt-outs/{nhs}")).StatusCode);
            await Parallel.ForAsync(0, 1100, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (_, ct) =>
                Assert.Equal(HttpStatusCode.OK, (await pipeline.GetAsync($"/v1/opt-outs/{TestPatients.NewNhsNumber()}", ct)).StatusCode));
        }

        var holding = await scenario.Database.ListAsync(
            $"select tableoid::regclass::text, count(*) from optout.audit_entries where nhs_number = '{nhs}' group by 1", r => r.GetString(0));
        Assert.True(holding.Count >= 3, $"the patient's entries lie in {string.Join(", ", holding)}");
        Assert.True(await scenario.Database.ScalarAsync<long>("select count(*) from pg_inherits where inhparent = 'optout.audit_entries'::regclass") >= 4);

        // Newest first, across partitions, and none missing: the change and three look-ups.
        var log = await service.As("patient", nhs).GetAsync($"/v1/patients/{nhs}/access-log").JsonAsync();
        var sequences = log.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("sequence").GetInt64()).ToList();
        Assert.Equal(4, sequences.Count);
        Assert.Equal(sequences.OrderDescending(), sequences);
        await FaultScenario.AssertAuditIntactAsync(service);

        // Row guards fire on rows, so only the written partitions can show them; those made ahead refuse truncation too.
        var written = await scenario.Database.ListAsync("select distinct tableoid::regclass::text from optout.audit_entries", r => r.GetString(0));
        Assert.True(written.Count >= 3);
        foreach (var partition in written)
        {
            await AssertRefusedAsync(scenario, $"update {partition} set outcome = 200");
            await AssertRefusedAsync(scenario, $"delete from {partition}");
        }

        foreach (var partition in await scenario.Database.ListAsync(
                     "select inhrelid::regclass::text from pg_inherits where inhparent = 'optout.audit_entries'::regclass", r => r.GetString(0)))
        {
            await AssertRefusedAsync(scenario, $"truncate {partition}");
        }
    }

    [Fact]
    public async Task The_partition_maker_refuses_widths_and_reaches_the_trail_does_not_need()
    {
        await using var scenario = await FaultScenario.CreateAsync();
        var service = await scenario.StartServiceAsync();
        Assert.Equal(HttpStatusCode.OK, (await service.As("pipeline").GetAsync($"/v1/opt-outs/{TestPatients.NewNhsNumber()}")).StatusCode);
        var before = await scenario.Database.ScalarAsync<long>("select count(*) from pg_inherits where inhparent = 'optout.audit_entries'::regclass");
        Assert.True(before > 0);
        foreach (var (ahead, width) in new[] { (100L, 1L), (100L, 100_000_000L), (10_000_000L, 1024L), (-1L, 1024L) })
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => scenario.Database.ScalarAsync<long>($"select optout.audit_entries_extend({ahead}, {width})"));
            Assert.Equal("22023", refused.SqlState);
        }

        Assert.Equal(before, await scenario.Database.ScalarAsync<long>("select count(*) from pg_inherits where inhparent = 'optout.audit_entries'::regclass"));
    }

    [Fact]
    public async Task A_trail_written_before_partitioning_becomes_the_first_partition_and_still_verifies()
    {
        await using var scenario = await FaultScenario.CreateAsync();
        var nhs = TestPatients.NewNhsNumber();
        var before = await scenario.StartServiceAsync("optout-before");
        await before.As("patient", nhs).PutOptOutAsync(nhs, new { optedOut = true, channel = "online" }).JsonAsync();
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await before.As("pipeline").GetAsync($"/v1/opt-outs/{(i % 3 == 0 ? nhs : TestPatients.NewNhsNumber())}")).StatusCode);
        }

        await before.KillAsync();
        await UnpartitionAsync(scenario);
        var last = await scenario.Database.ScalarAsync<long>("select max(seq) from optout.audit_entries");

        var after = await scenario.StartServiceAsync("optout-after");
        await after.As("pipeline").GetAsync($"/v1/opt-outs/{nhs}");
        Assert.Equal("p", await scenario.Database.ScalarAsync<string>("select relkind::text from pg_class where oid = 'optout.audit_entries'::regclass"));
        Assert.Equal($"FOR VALUES FROM (MINVALUE) TO ('{last + 1}')",
            await scenario.Database.ScalarAsync<string>("select pg_get_expr(relpartbound, oid) from pg_class where oid = 'optout.audit_entries_1'::regclass"));
        Assert.Equal(last, await scenario.Database.ScalarAsync<long>("select count(*) from optout.audit_entries_1"));
        Assert.Equal(0, await scenario.Database.ScalarAsync<long>($"select count(*) from optout.audit_entries where seq > {last} and tableoid = 'optout.audit_entries_1'::regclass"));
        Assert.True(await scenario.Database.ScalarAsync<long>($"select count(*) from optout.audit_entries where seq > {last}") > 0);

        var log = await after.As("patient", nhs).GetAsync($"/v1/patients/{nhs}/access-log").JsonAsync();
        Assert.Equal(6, log.GetProperty("entries").GetArrayLength());
        await FaultScenario.AssertAuditIntactAsync(after);
        await AssertRefusedAsync(scenario, "delete from optout.audit_entries_1 where seq = 1");
        await AssertRefusedAsync(scenario, "truncate optout.audit_entries_1");
    }

    /// <summary>The trail as the earlier version laid it out: one plain table, its indexes and guards under their old names.</summary>
    private static async Task UnpartitionAsync(FaultScenario scenario)
    {
        await using var connection = new NpgsqlConnection(scenario.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            begin;
            create table optout.audit_entries_plain (like optout.audit_entries);
            insert into optout.audit_entries_plain select * from optout.audit_entries order by seq;
            drop table optout.audit_entries;
            alter table optout.audit_entries_plain rename to audit_entries;
            alter table optout.audit_entries add primary key (seq);
            create index audit_entries_nhs_number on optout.audit_entries (nhs_number, seq);
            create index audit_entries_recorded_at on optout.audit_entries (recorded_at);
            create index audit_entries_reference on optout.audit_entries ((details::jsonb ->> 'reference')) where kind = 'change';
            create trigger audit_entries_append_only before update or delete on optout.audit_entries
              for each row execute function optout.audit_entries_are_append_only();
            create trigger audit_entries_no_truncate before truncate on optout.audit_entries
              for each statement execute function optout.audit_entries_are_append_only();
            commit;
            """, connection);
        await command.ExecuteNonQueryAsync();
        Assert.Equal("r", await scenario.Database.ScalarAsync<string>("select relkind::text from pg_class where oid = 'optout.audit_entries'::regclass"));
    }

    private static async Task AssertRefusedAsync(FaultScenario scenario, string sql)
    {
        var refused = await Assert.ThrowsAsync<PostgresException>(() => scenario.Database.ScalarAsync<object?>(sql));
        Assert.Contains("append-only", refused.MessageText, StringComparison.Ordinal);
    }
}
