using OptOut.IntegrationTests.Faults;
using OptOut.IntegrationTests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace OptOut.IntegrationTests.Cluster;

/// <summary>
/// The restore an operator drills (`infra/optout cluster backup`, `archive-now`, `restore`): a base backup taken while
/// changes are written, and the WAL the nodes archived after it, make a standalone server that holds every acknowledged
/// change once, each named by one audit entry, and an audit trail identical to the cluster's up to where it stops.
/// </summary>
[Trait("Category", "Cluster")]
// One collection: the cluster these kill nodes of is one, so its tests take turns.
[Collection("Cluster")]
public class ClusterBackupTests(ITestOutputHelper output)
{
    private const int RestorePort = 5449;

    [Fact]
    public async Task A_base_backup_and_the_archived_WAL_restore_every_acknowledged_change_and_the_audit_trail()
    {
        await using var scenario = await FaultScenario.CreateAsync();
        var service = await scenario.StartServiceAsync();
        var load = new ChangeLoad();
        using var stop = new CancellationTokenSource();
        var writing = load.RunAsync(() => service.As("admin"), writers: 4, stop.Token, pause: TimeSpan.FromMilliseconds(50));
        await FaultScenario.WaitUntilAsync(() => load.Acknowledged >= 40, TimeSpan.FromSeconds(60), "40 changes are acknowledged");

        // Taken while changes commit: the WAL streamed into the backup makes whole what it copied half-written.
        var backup = (await ClusterNodes.OperatorAsync("backup")).Trim();
        var atBackup = load.Acknowledged;
        // Retention: the newest two backups, and no archived WAL from before the older of them (which restores nothing).
        var kept = ClusterNodes.BackupsBeside(backup);
        Assert.InRange(kept.Count, 1, 2);
        Assert.Equal(backup, kept[^1]);
        Assert.Empty(ClusterNodes.ArchivedSegmentsBefore(kept[0]));
        // After the backup, only the archive holds these.
        await FaultScenario.WaitUntilAsync(() => load.Acknowledged >= atBackup + 40, TimeSpan.FromSeconds(60), "40 more changes are acknowledged");
        await stop.CancelAsync();
        await writing;
        await load.CompleteAsync(service.As("admin"));
        await StoreChecks.AssertEveryEventAuditedOnceAsync(scenario.Database);

        await ClusterNodes.OperatorAsync("archive-now");
        await ClusterNodes.OperatorAsync("restore", backup, RestorePort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            var restored = TestDatabase.Existing(new NpgsqlConnectionStringBuilder(scenario.Database.ConnectionString)
            {
                Host = "127.0.0.1", Port = RestorePort, TargetSessionAttributes = null,
            }.ConnectionString);
            output.WriteLine($"{load.Changes.Count} changes, {atBackup} before the backup; restored {await restored.ScalarAsync<long>("select count(*) from optout.mt_events")} events");
            await StoreChecks.AssertEveryChangeStoredOnceAsync(restored, load);
            await StoreChecks.AssertEveryEventAuditedOnceAsync(restored);

            // The restored trail is the cluster's, entry for entry, as far as it goes (the cluster went on auditing).
            const string Trail = "select coalesce(max(seq), 0), coalesce(string_agg(hash, ',' order by seq), '') from optout.audit_entries where seq <= {0}";
            var (restoredLast, restoredHashes) = (await restored.ListAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, Trail, long.MaxValue), Row)).Single();
            var (_, clusterHashes) = (await scenario.Database.ListAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, Trail, restoredLast), Row)).Single();
            Assert.True(restoredLast > 0);
            Assert.Equal(clusterHashes, restoredHashes);

            // And the service, started on the restored database as after a disaster, finds its trail and checkpoints intact.
            await using var onRestored = await ServiceProcess.StartAsync(scenario.Settings, restored.ConnectionString, scenario.Servers.RabbitMq, "optout-restored");
            await FaultScenario.AssertAuditIntactAsync(onRestored);
        }
        finally
        {
            await ClusterNodes.RemoveRestoredAsync(RestorePort, backup);
        }
    }

    private static (long Last, string Hashes) Row(NpgsqlDataReader row) => (row.GetInt64(0), row.GetString(1));
}
