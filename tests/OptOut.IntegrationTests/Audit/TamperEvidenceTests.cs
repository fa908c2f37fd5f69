using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using OptOut.Contracts.Audit;
using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.Audit;

/// <summary>A host and database of their own: these tests break the chain on purpose, then mend it.</summary>
[CollectionDefinition(Name)]
public sealed class TamperGroup : ICollectionFixture<OptOutService>
{
    public const string Name = "Audit tampering";
}

[Collection(TamperGroup.Name)]
public class TamperEvidenceTests(OptOutService service) : IAsyncLifetime
{
    public async Task InitializeAsync()
    {
        for (var i = 0; i < 6; i++)
        {
            await service.As("pipeline", subject: $"extract-{i}").GetAsync($"/v1/opt-outs/{TestPatients.NewNhsNumber()}");
        }

        var report = await VerifyAsync();
        Assert.True(report.GetProperty("intact").GetBoolean(), report.ToString());
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public Task A_changed_field_is_reported_at_its_entry() =>
        TamperedAsync("update optout.audit_entries set actor = 'someone-else' where seq = 3", 3, "changed");

    [Fact]
    public Task A_deleted_row_is_reported_where_it_is_missing() =>
        TamperedAsync("delete from optout.audit_entries where seq = 2", 2, "missing");

    [Fact]
    public Task Reordered_rows_are_reported_at_the_first_moved_entry() =>
        TamperedAsync(
            // Rows 2 and 3 swap places: one statement reads both as they were.
            "update optout.audit_entries a set (recorded_at, kind, action, actor, actor_role, nhs_number, purpose, outcome, request_id, details, prev_hash, hash) = " +
            "(select recorded_at, kind, action, actor, actor_role, nhs_number, purpose, outcome, request_id, details, prev_hash, hash from optout.audit_entries b where b.seq = 5 - a.seq) " +
            "where a.seq in (2, 3)",
            2, "follow");

    [Fact]
    public Task An_inserted_row_is_reported_where_it_was_slipped_in() =>
        TamperedAsync(
            "update optout.audit_entries set seq = seq + 1000 where seq >= 4; update optout.audit_entries set seq = seq - 999 where seq >= 1004; " +
            "insert into optout.audit_entries select 4, recorded_at, kind, action, 'forged', actor_role, nhs_number, purpose, outcome, 'forged', details, prev_hash, hash from optout.audit_entries where seq = 3",
            4, "");

    [Fact]
    public async Task A_rewritten_chain_with_recomputed_hashes_still_fails_against_the_signed_checkpoints()
    {
        // Sign a checkpoint over what is there, then forge an entry and recompute every hash after it, as an
        // attacker with the database but not the service key would.
        await service.As("pipeline").GetAsync($"/v1/opt-outs/{TestPatients.NewNhsNumber()}");
        var anchored = await VerifyAsync();
        Assert.True(anchored.GetProperty("checkpointsVerified").GetInt64() > 0);

        // The chain itself looks whole; only the signature check can tell, at the start of the signed range.
        await TamperedAsync("update optout.audit_entries set actor = 'forged' where seq = 2", 1, "signed checkpoint", rehash: true);
    }

    [Fact]
    public async Task A_log_checkpoint_re_signed_with_another_key_is_caught_at_its_size()
    {
        var (size, root) = await LatestLogCheckpointAsync();
        using var forger = new OptOut.Audit.Transparency.LogKey(Microsoft.Extensions.Options.Options.Create(new OptOut.Audit.Transparency.TransparencyLogOptions()));
        var forged = forger.Sign(new OptOut.Contracts.Audit.LogCheckpoint(forger.Origin, size, root)).Replace("'", "''", StringComparison.Ordinal);

        await TamperedAsync($"update optout.audit_log_checkpoints set note = '{forged}' where size = {size}", size, "not signed by this log's key");
    }

    [Fact]
    public async Task A_log_checkpoint_whose_root_was_changed_after_signing_is_caught()
    {
        var (size, _) = await LatestLogCheckpointAsync();

        await TamperedAsync($"update optout.audit_log_checkpoints set root = sha256(root) where size = {size}", size, "altered after it was signed");
    }

    [Theory]
    [InlineData("update optout.audit_tree set hash = sha256(hash) where level = 8 and index = 0", "altered")]
    [InlineData("delete from optout.audit_tree where level = 8 and index = 0", "missing (deleted)")]
    public async Task A_stored_subtree_altered_or_deleted_is_caught_before_a_patients_proof_fails(string sql, string problem)
    {
        // Past 256 entries, so the first subtree of 256 is stored and a signed checkpoint needs it.
        while (await service.Database.ScalarAsync<long>("select coalesce(max(size), 0) from optout.audit_log_checkpoints") < 260)
        {
            await service.As("pipeline").GetAsync($"/v1/opt-outs/{TestPatients.NewNhsNumber()}");
        }

        await TamperedAsync(sql, 1, problem);
    }

    [Theory]
    [InlineData("update optout.audit_map set entries = entries - 1 where depth = 256 and entries > 1", "no longer hash to their names (altered)")]
    [InlineData("delete from optout.audit_map where depth < 256", "lacks stored nodes (deleted)")]
    // A node moved under another version is intact but out of every proof's reach: as good as deleted.
    [InlineData("update optout.audit_map set version = -1 - version where depth < 256", "lacks stored nodes (deleted)")]
    public async Task A_stored_patient_map_node_altered_or_deleted_is_caught(string sql, string problem)
    {
        var nhs = TestPatients.NewNhsNumber();
        await service.As("pipeline").GetAsync($"/v1/opt-outs/{nhs}");
        await service.As("pipeline").GetAsync($"/v1/opt-outs/{nhs}");
        await service.As("pipeline").GetAsync($"/v1/opt-outs/{TestPatients.NewNhsNumber()}");
        await CoveredAsync(await service.Database.ScalarAsync<long>("select max(seq) from optout.audit_entries"));

        await TamperedAsync(sql, null, problem);
    }

    [Fact]
    public async Task A_map_signed_with_the_logs_own_key_that_leaves_out_a_patients_entry_is_caught()
    {
        // A sequencer (or a holder of its key) that signs a map undercounting one patient: every signature checks, and a
        // patient shown a list without that entry would find it complete; only rebuilding the map from the entries tells.
        var nhs = TestPatients.NewNhsNumber();
        await service.As("pipeline").GetAsync($"/v1/opt-outs/{nhs}");
        await service.As("pipeline").GetAsync($"/v1/opt-outs/{nhs}");
        await CoveredAsync(await service.Database.ScalarAsync<long>("select max(seq) from optout.audit_entries"));
        var (size, root) = await LatestLogCheckpointAsync();
        var mapSize = await MapSizeAsync();
        var undercounting = PatientMapTree.InMemory().Merge(null, [new MapLeaf(PatientMap.Key(nhs), 1, PatientMap.EmptyHead)])!.Hash;
        using var logKey = new OptOut.Audit.Transparency.LogKey(Microsoft.Extensions.Options.Options.Create(
            new OptOut.Audit.Transparency.TransparencyLogOptions { SigningKeyPem = service.Settings.LogSigningKeyPem }));
        var forged = logKey.Sign(new LogCheckpoint(logKey.Origin, size, root, new MapCommitment(mapSize, undercounting))).Replace("'", "''", StringComparison.Ordinal);

        await TamperedAsync($"update optout.audit_log_checkpoints set note = '{forged}' where size = {size}", size, "is not the map of the first");
    }

    /// <summary>
    /// Waits until the latest checkpoint's patient map covers entry <paramref name="sequence"/>. A checkpoint signs the
    /// map finished before it, so each wait records another use for the next checkpoint to sign it with.
    /// </summary>
    private async Task CoveredAsync(long sequence)
    {
        for (var attempt = 0; await MapSizeAsync() < sequence; attempt++)
        {
            Assert.True(attempt < 300, $"no checkpoint signed a patient map covering entry {sequence}");
            await service.As("pipeline").GetAsync($"/v1/opt-outs/{TestPatients.NewNhsNumber()}");
            await Task.Delay(50);
        }
    }

    /// <summary>How many entries the latest checkpoint's patient map covers.</summary>
    private async Task<long> MapSizeAsync()
    {
        var notes = await service.Database.ListAsync("select note from optout.audit_log_checkpoints order by size desc limit 1", r => r.GetString(0));
        return notes.Count == 0 ? 0 : LogCheckpoint.Parse(SignedNote.Parse(notes[0])!.Value.Text)?.Map?.Size ?? 0;
    }

    /// <summary>
    /// The latest log checkpoint, once there is one: a test before may have put back a backup taken before the first
    /// checkpoint, which the sequencer then signs again from the start.
    /// </summary>
    private async Task<(long Size, byte[] Root)> LatestLogCheckpointAsync()
    {
        for (var attempt = 0; ; attempt++)
        {
            var rows = await service.Database.ListAsync("select size, root from optout.audit_log_checkpoints order by size desc limit 1", r => (r.GetInt64(0), (byte[])r[1]));
            if (rows.Count == 1 || attempt == 200)
            {
                return Assert.Single(rows);
            }

            await Task.Delay(50);
        }
    }

    [Theory]
    [InlineData("update optout.audit_checkpoints set merkle_root = 'not-a-hash' where from_seq = 1", 1, "not one (altered)")]
    [InlineData("update optout.audit_checkpoints set merkle_root = repeat('ab', 32) where from_seq = 1", 1, "no longer match")]
    [InlineData("update optout.audit_checkpoints set head_hash = repeat('0', 64) where from_seq = 1", 1, "no longer match")]
    [InlineData("update optout.audit_checkpoints set signature = '%%%' where from_seq = 1", 1, "not one (altered)")]
    [InlineData("delete from optout.audit_checkpoints where from_seq = 1", 1, "a checkpoint was deleted")]
    [InlineData("update optout.audit_checkpoints set to_seq = to_seq - 1 where from_seq = 1", 1, "no longer match")]
    [InlineData("insert into optout.audit_checkpoints select 2, to_seq, merkle_root, head_hash, signed_at, signature from optout.audit_checkpoints where from_seq = 1", 2, "overlaps")]
    public async Task A_tampered_checkpoint_is_reported_as_a_break_never_an_error(string sql, long sequence, string problem)
    {
        await AtLeastTwoCheckpointsAsync();
        await TamperedAsync(sql, sequence, problem);
    }

    [Fact]
    public async Task A_checkpoint_signed_by_another_key_is_reported_as_a_break()
    {
        await AtLeastTwoCheckpointsAsync();
        var first = (await service.As("dpo").GetFromJsonAsync<JsonElement>("/v1/audit/checkpoints"))[0];
        using var other = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var forged = Convert.ToBase64String(other.SignData(OptOut.Contracts.Audit.AuditChain.CheckpointPayload(
            first.GetProperty("fromSequence").GetInt64(), first.GetProperty("toSequence").GetInt64(), first.GetProperty("merkleRoot").GetString()!,
            first.GetProperty("headHash").GetString()!, first.GetProperty("signedAt").GetDateTimeOffset()), System.Security.Cryptography.HashAlgorithmName.SHA256));

        await TamperedAsync($"update optout.audit_checkpoints set signature = '{forged}' where from_seq = 1", 1, "not signed by the service key");
    }

    /// <summary>Entries enough for two checkpoints (one every five entries here), so the first is not the newest.</summary>
    private async Task AtLeastTwoCheckpointsAsync()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if ((await service.As("dpo").GetFromJsonAsync<JsonElement>("/v1/audit/checkpoints")).GetArrayLength() >= 2)
            {
                return;
            }

            await service.As("pipeline").GetAsync($"/v1/opt-outs/{TestPatients.NewNhsNumber()}");
        }

        Assert.Fail("No second checkpoint was signed.");
    }

    private async Task TamperedAsync(string sql, long? expectedSequence, string problem, bool rehash = false)
    {
        await using var connection = new NpgsqlConnection(service.ConnectionString);
        await connection.OpenAsync();
        // Verifying is itself audited, and checkpoints are signed meanwhile: both tables are put back afterwards.
        // One snapshot for all four, so the backup never holds a checkpoint of entries it does not hold.
        await ExecuteAsync(connection, "begin isolation level repeatable read; " +
                                       "create temporary table audit_backup as select * from optout.audit_entries; " +
                                       "create temporary table checkpoint_backup as select * from optout.audit_checkpoints; " +
                                       "create temporary table tree_backup as select * from optout.audit_tree; " +
                                       "create temporary table log_backup as select * from optout.audit_log_checkpoints; " +
                                       "create temporary table map_backup as select * from optout.audit_map; commit; " +
                                       "alter table optout.audit_entries disable trigger user; alter table optout.audit_checkpoints disable trigger user; " +
                                       "alter table optout.audit_tree disable trigger user; alter table optout.audit_log_checkpoints disable trigger user; " +
                                       "alter table optout.audit_map disable trigger user");
        try
        {
            await ExecuteAsync(connection, sql);
            if (rehash)
            {
                await RehashAsync(connection);
            }

            var report = await VerifyAsync();
            Assert.False(report.GetProperty("intact").GetBoolean(), report.ToString());
            var mismatch = report.GetProperty("firstMismatch");
            if (expectedSequence is not null)
            {
                Assert.Equal(expectedSequence, mismatch.GetProperty("sequence").GetInt64());
            }

            Assert.Contains(problem, mismatch.GetProperty("problem").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            await ExecuteAsync(connection, "begin; lock table optout.audit_entries, optout.audit_checkpoints, optout.audit_tree, optout.audit_log_checkpoints, optout.audit_map; " +
                                           "delete from optout.audit_entries; insert into optout.audit_entries select * from audit_backup; " +
                                           "delete from optout.audit_checkpoints; insert into optout.audit_checkpoints select * from checkpoint_backup; " +
                                           "delete from optout.audit_tree; insert into optout.audit_tree select * from tree_backup; " +
                                           "delete from optout.audit_log_checkpoints; insert into optout.audit_log_checkpoints select * from log_backup; " +
                                           "delete from optout.audit_map; insert into optout.audit_map select * from map_backup; " +
                                           "alter table optout.audit_entries enable trigger user; alter table optout.audit_checkpoints enable trigger user; " +
                                           "alter table optout.audit_tree enable trigger user; alter table optout.audit_log_checkpoints enable trigger user; " +
                                           "alter table optout.audit_map enable trigger user; " +
                                           "drop table audit_backup; drop table checkpoint_backup; drop table tree_backup; drop table log_backup; drop table map_backup; commit");
        }

        var mended = await VerifyAsync();
        Assert.True(mended.GetProperty("intact").GetBoolean(), mended.ToString());
    }

    /// <summary>Recomputes every hash in order, so the chain links and hashes are consistent again.</summary>
    private static async Task RehashAsync(NpgsqlConnection connection)
    {
        var rows = new List<object[]>();
        await using (var read = new NpgsqlCommand("select seq, recorded_at, kind, action, actor, actor_role, nhs_number, purpose, outcome, request_id, details from optout.audit_entries order by seq", connection))
        await using (var reader = await read.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                var row = new object[reader.FieldCount];
                reader.GetValues(row);
                rows.Add(row);
            }
        }

        var previous = OptOut.Contracts.Audit.AuditChain.Genesis;
        foreach (var r in rows)
        {
            var hash = OptOut.Contracts.Audit.AuditChain.HashOf((long)r[0], new DateTimeOffset((DateTime)r[1]), (string)r[2], (string)r[3], (string)r[4], (string)r[5],
                r[6] as string, r[7] as string, (int)r[8], (string)r[9], (string)r[10], previous);
            await using var update = new NpgsqlCommand("update optout.audit_entries set prev_hash = @p, hash = @h where seq = @s", connection);
            update.Parameters.AddWithValue("p", previous);
            update.Parameters.AddWithValue("h", hash);
            update.Parameters.AddWithValue("s", (long)r[0]);
            await update.ExecuteNonQueryAsync();
            previous = hash;
        }
    }

    private async Task<JsonElement> VerifyAsync() =>
        await service.As("dpo").GetFromJsonAsync<JsonElement>("/v1/audit/verification");

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
