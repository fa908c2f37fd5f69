using Npgsql;

namespace OptOut.Audit;

/// <summary>How far a re-verification has got: one writer (the verification), read by whoever reports on it while it runs.</summary>
public sealed class VerificationProgress
{
    private long entries;
    private long records;

    public long Entries => Volatile.Read(ref entries);

    public long Records => Volatile.Read(ref records);

    internal void EntryRead() => Volatile.Write(ref entries, entries + 1);

    internal void RecordChecked() => Volatile.Write(ref records, records + 1);
}

/// <summary>The first entry that does not match, and why.</summary>
public sealed record AuditMismatch(long Sequence, string Problem);

public sealed record AuditVerification(
    bool Intact, long Entries, long? HeadSequence, string? HeadHash, long CheckpointsVerified, long? AnchoredUpTo, AuditMismatch? FirstMismatch,
    long LogCheckpointsVerified = 0, long EventsChecked = 0, long RecordsChecked = 0, long? IndexCheckedAt = null);

/// <summary>
/// Re-verifies the whole chain from the database: every entry's hash from its content, every link to the
/// entry before, an unbroken run of sequence numbers, and the signed checkpoints tiling the chain, each with its Merkle
/// root, head and signature; the event store against the entries that name its events (<see cref="EventCoverage"/>); and
/// what answers are read from, each record's snapshot and this instance's opt-out index, against those events
/// (<see cref="RecordStates"/>, <see cref="IndexAgreement"/>).
/// A changed field, a deleted, reordered or inserted row, entry, checkpoint or event, each break one of these, and the
/// answer says where: a verifier reports tampering, it does not fail on it.
/// </summary>
public sealed class AuditVerifier(
    NpgsqlDataSource database, AuditSchema schema, AuditCheckpoints checkpoints, Transparency.LogTree tree, Transparency.PatientMapStore map, Transparency.LogKey key,
    Marten.IDocumentStore store, EventStore.EventStoreNames names, Indexing.OptOutIndex index)
{
    public Task<AuditVerification> VerifyAsync(CancellationToken ct) => VerifyAsync(new VerificationProgress(), ct);

    /// <summary>The whole re-verification, counting into <paramref name="progress"/> as it goes for whoever reports on it meanwhile.</summary>
    public async Task<AuditVerification> VerifyAsync(VerificationProgress progress, CancellationToken ct)
    {
        long count = 0, expected = 1;
        var previous = Contracts.Audit.AuditChain.Genesis;
        AuditMismatch? mismatch = null;
        var hashes = new Dictionary<long, byte[]>();
        // Checkpoints are read before the entries: each commits with (or after) the entries it covers, so every one read
        // covers entries the later read sees, while the leader goes on chaining and signing meanwhile.
        var log = await Transparency.LogVerification.StartAsync(database, tree, map, key, ct);
        var signed = await checkpoints.ListAsync(ct);
        var events = new EventCoverage();
        // The entries, the changes still pending and the event store are read in one snapshot (EventCoverage).
        await using var connection = await database.OpenConnectionAsync(ct);
        await using var snapshot = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        await using (var command = new NpgsqlCommand($"select {AuditRows.Columns} from {schema.Table} order by seq", connection, snapshot))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var entry = AuditRows.Read(reader);
                count++;
                progress.EntryRead();
                mismatch ??= Check(entry, expected, previous);
                log.Append(entry.ComputeHash(), entry.NhsNumber);
                events.Add(entry);
                // A hash altered into something that is not hex is already a mismatch; as a leaf it matches nothing.
                hashes[entry.Sequence] = entry.Hash.Length == 64 && entry.Hash.All(char.IsAsciiHexDigit) ? Convert.FromHexString(entry.Hash) : [];
                expected = entry.Sequence + 1;
                previous = entry.Hash;
            }
        }

        // Before the events are checked: that check takes each event's entry out as it reads the event.
        // A break with no entry of its own is placed at the head of the trail.
        var head = Math.Max(count, 1);
        var records = new RecordStates(store.Options.Serializer(), names, progress);
        await records.CheckAsync(database, await ExportAsync(connection, snapshot, ct), events.EntryNaming, head, ct);
        var answers = new IndexAgreement(index, database, names);
        if (records.FirstBreak is null)
        {
            await answers.CheckAsync(connection, snapshot, records.Expected, events.EntryNaming, head, ct);
        }

        await events.CheckAsync(connection, snapshot, schema, ct);
        await snapshot.CommitAsync(ct);

        // The checkpoint rules are the offline verifier's too (optout audit-verify), so both report the same breaks.
        var anchoring = checkpoints.Verify(signed, hashes);
        if (anchoring.FirstBreak is { } broken)
        {
            mismatch ??= new AuditMismatch(broken.Sequence, broken.Problem);
        }

        await log.FinishAsync(database, ct);
        if (log.FirstBreak is { } logBreak)
        {
            mismatch ??= logBreak;
        }

        mismatch ??= events.FirstBreak ?? records.FirstBreak ?? answers.FirstBreak;

        return new AuditVerification(
            mismatch is null, count, count == 0 ? null : expected - 1, count == 0 ? null : previous, anchoring.Verified, anchoring.AnchoredUpTo, mismatch, log.Verified, events.EventsChecked,
            records.RecordsChecked, answers.CheckedAt);
    }

    /// <summary>The snapshot's name, for other connections to read in it while this transaction stays open.</summary>
    private static async Task<string> ExportAsync(NpgsqlConnection connection, NpgsqlTransaction snapshot, CancellationToken ct)
    {
        await using var export = new NpgsqlCommand("select pg_export_snapshot()", connection, snapshot);
        var name = (string)(await export.ExecuteScalarAsync(ct))!;
        // Interpolated into SET TRANSACTION SNAPSHOT, which takes no parameter: PostgreSQL names them in hex and dashes.
        return name.All(c => char.IsAsciiHexDigit(c) || c == '-') ? name : throw new InvalidOperationException("PostgreSQL named the snapshot unexpectedly.");
    }

    public static AuditMismatch? Check(AuditEntry entry, long expectedSequence, string previousHash)
    {
        if (entry.Sequence != expectedSequence)
        {
            return new AuditMismatch(expectedSequence, entry.Sequence > expectedSequence
                ? $"entry {expectedSequence} is missing (deleted), or entries were renumbered"
                : $"entry {entry.Sequence} appears out of order");
        }

        if (entry.PreviousHash != previousHash)
        {
            return new AuditMismatch(entry.Sequence, $"entry {entry.Sequence} does not follow the entry before it (reordered, inserted or a neighbour removed)");
        }

        return entry.ComputeHash() != entry.Hash
            ? new AuditMismatch(entry.Sequence, $"entry {entry.Sequence} was changed after it was written")
            : null;
    }
}

/// <summary>How audit entries are read from their table: the column list and the reader that maps it, kept together.</summary>
public static class AuditRows
{
    /// <summary>The columns <see cref="Read"/> expects, in its order: "select {Columns} from ...".</summary>
    public const string Columns = "seq, recorded_at, kind, action, actor, actor_role, nhs_number, purpose, outcome, request_id, details, prev_hash, hash";

    public static AuditEntry Read(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetFieldValue<DateTimeOffset>(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5),
        r.IsDBNull(6) ? null : r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7), r.GetInt32(8), r.GetString(9), r.GetString(10),
        r.GetString(11), r.GetString(12));
}
