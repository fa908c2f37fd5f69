using System.Net;
using Npgsql;
using OptOut.IntegrationTests.Faults;
using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.Audit;

/// <summary>
/// infra/audit-owner.sql, as `infra/optout run` applies it: the audit tables and every partition belong to a role
/// nobody logs in as. The service's own role, which owns the schema and so could drop any table in it, can then only
/// read and append: every way it might remove or rewrite entries is refused, and the trail still grows into partitions
/// made by the owner. Needs the local servers `infra/optout` starts (a superuser through the postgres account).
/// </summary>
public class AuditOwnerTests
{
    [Fact]
    public async Task The_service_role_can_append_and_read_but_never_drop_truncate_detach_or_rewrite_the_trail()
    {
        await using var scenario = await FaultScenario.CreateAsync();
        var service = await scenario.StartServiceAsync();
        var pipeline = service.As("pipeline");
        Assert.Equal(HttpStatusCode.OK, (await pipeline.GetAsync($"/v1/opt-outs/{TestPatients.NewNhsNumber()}")).StatusCode);
        var role = new NpgsqlConnectionStringBuilder(scenario.Database.ConnectionString);
        Assert.False(await scenario.Database.ScalarAsync<bool>("select rolsuper from pg_roles where rolname = current_user"), "the service must not run as a superuser");
        await PostgresCluster.RunAsSuperuserAsync(role.Database!, Path.Combine(Repository.Root, "infra", "audit-owner.sql"), ("service_role", role.Username!));

        var first = await scenario.Database.ScalarAsync<string>("select min(inhrelid::regclass::text) from pg_inherits where inhparent = 'optout.audit_entries'::regclass");
        foreach (var attack in new[]
                 {
                     $"drop table {first}", "drop table optout.audit_map", "drop table optout.audit_log_checkpoints", "drop schema optout cascade",
                     $"truncate {first}", "truncate optout.audit_entries", "delete from optout.audit_entries", "update optout.audit_entries set outcome = 1",
                     $"alter table optout.audit_entries detach partition {first}", $"alter table {first} disable trigger user",
                     "create table optout.audit_entries_9999999999 partition of optout.audit_entries for values from (9999999999) to (10000000000)",
                     "create or replace function optout.audit_entries_extend(ahead bigint, width bigint) returns bigint language sql as 'select 1::bigint'",
                     "drop event trigger optout_audit_tables_stay",
                 })
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => scenario.Database.ScalarAsync<object?>(attack));
            Assert.True(refused.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.RaiseException, $"{attack}: {refused.SqlState} {refused.MessageText}");
        }

        // Appends go on, into partitions the owner makes.
        await Parallel.ForAsync(0, 2100, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (_, ct) =>
            Assert.Equal(HttpStatusCode.OK, (await pipeline.GetAsync($"/v1/opt-outs/{TestPatients.NewNhsNumber()}", ct)).StatusCode));
        Assert.Equal(["optout_audit_owner"], await scenario.Database.ListAsync(
            "select distinct pg_get_userbyid(c.relowner) from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 'optout.audit_entries'::regclass",
            r => r.GetString(0)));
        Assert.True(await scenario.Database.ScalarAsync<long>("select count(distinct tableoid) from optout.audit_entries") >= 3);
        await FaultScenario.AssertAuditIntactAsync(service);
    }
}
