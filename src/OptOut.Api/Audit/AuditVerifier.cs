using System.Security.Cryptography;
using Npgsql;

namespace OptOut.Audit;

/// <summary>The first entry that does not match, and why.</summary>
public sealed record AuditMismatch(long Sequence, string Problem);

public sealed record AuditVerification(bool Intact, long Entries, long? HeadSequence, string? HeadHash, long CheckpointsVerified, long? AnchoredUpTo, AuditMismatch? FirstMismatch);

/// <summary>
/// Re-verifies the whole chain from the database: every entry's hash from its content, every link to the
/// entry before, an unbroken run of sequence numbers, and every signed checkpoint's Merkle root and
/// signature. A changed field, a deleted, reordered or inserted row each break one of these at that entry.
/// </summary>
public sealed class AuditVerifier(NpgsqlDataSource database, AuditSchema schema, AuditCheckpoints checkpoints)
{
    public async Task<AuditVerification> VerifyAsync(CancellationToken ct)
    {
        long count = 0, expected = 1;
        var previous = Contracts.Audit.AuditChain.Genesis;
        AuditMismatch? mismatch = null;
        var hashes = new Dictionary<long, byte[]>();
        await using (var command = database.CreateCommand(
            $"select {AuditRows.Columns} from {schema.Table} order by seq"))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var entry = AuditRows.Read(reader);
                count++;
                hashes[entry.Sequence] = Convert.FromHexString(entry.Hash);
                mismatch ??= Check(entry, expected, previous);
                expected = entry.Sequence + 1;
                previous = entry.Hash;
            }
        }

        var verified = 0L;
        long? anchored = null;
        foreach (var checkpoint in await checkpoints.ListAsync(ct))
        {
            var leaves = new List<byte[]>();
            for (var s = checkpoint.FromSequence; s <= checkpoint.ToSequence && hashes.TryGetValue(s, out var h); s++)
            {
                leaves.Add(h);
            }

            if (leaves.Count != checkpoint.ToSequence - checkpoint.FromSequence + 1
                || !CryptographicOperations.FixedTimeEquals(Contracts.Audit.MerkleTree.Root(leaves), Convert.FromHexString(checkpoint.MerkleRoot)))
            {
                mismatch ??= new AuditMismatch(checkpoint.FromSequence, $"entries {checkpoint.FromSequence}-{checkpoint.ToSequence} no longer match their signed checkpoint");
                continue;
            }

            if (!checkpoints.VerifySignature(checkpoint))
            {
                mismatch ??= new AuditMismatch(checkpoint.FromSequence, $"the checkpoint over entries {checkpoint.FromSequence}-{checkpoint.ToSequence} is not signed by the service key");
                continue;
            }

            verified++;
            anchored = Math.Max(anchored ?? 0, checkpoint.ToSequence);
        }

        return new AuditVerification(mismatch is null, count, count == 0 ? null : expected - 1, count == 0 ? null : previous, verified, anchored, mismatch);
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
