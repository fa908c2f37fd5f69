using Npgsql;
using NpgsqlTypes;

namespace OptOut.Audit;

/// <summary>The last entry of the chain: its sequence and hash.</summary>
public readonly record struct ChainHead(long Sequence, string Hash)
{
    public static readonly ChainHead Empty = new(0, Contracts.Audit.AuditChain.Genesis);
}

/// <summary>Records hashed onto a head, all with the batch's time, as the arrays of the one statement that inserts them.</summary>
public sealed class ChainedBatch
{
    private readonly long[] _sequences;
    private readonly string[] _previousHashes;
    private readonly string[] _hashes;
    private readonly DateTimeOffset _at;

    public ChainedBatch(ChainHead onto, IReadOnlyList<AuditRecord> records, DateTimeOffset at)
    {
        (Onto, Records, _at) = (onto, records, AuditEntry.ToStoredPrecision(at));
        (_sequences, _previousHashes, _hashes) = (new long[records.Count], new string[records.Count], new string[records.Count]);
        var previous = onto.Hash;
        for (var i = 0; i < records.Count; i++)
        {
            var r = records[i];
            _sequences[i] = onto.Sequence + i + 1;
            _previousHashes[i] = previous;
            _hashes[i] = previous = Contracts.Audit.AuditChain.HashOf(_sequences[i], _at, r.Kind, r.Action, r.Actor, r.ActorRole, r.NhsNumber, r.Purpose, r.Outcome, r.RequestId, r.Details, _previousHashes[i]);
        }
    }

    public ChainHead Onto { get; }

    public IReadOnlyList<AuditRecord> Records { get; }

    public ChainHead Tail => Records.Count == 0 ? Onto : new(_sequences[^1], _hashes[^1]);

    /// <summary>
    /// The insert. Guarded, it inserts nothing unless the stored head is still <see cref="Onto"/>: a batch hashed before
    /// the one ahead of it committed is written only if that one did commit and nobody else wrote in between.
    /// </summary>
    public NpgsqlBatchCommand Insert(string table, bool guarded)
    {
        var insert = new NpgsqlBatchCommand($"""
            insert into {table} (seq, recorded_at, kind, action, actor, actor_role, nhs_number, purpose, outcome, request_id, details, prev_hash, hash)
            select s, $2, k, a, ac, r, n, p, o, q, d, ph, h
            from unnest($1::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int[], $10::text[], $11::text[], $12::text[], $13::text[])
              as u(s, k, a, ac, r, n, p, o, q, d, ph, h)
            {(guarded ? $"where ($14::bigint, $15::text) = (select seq, hash from {table} order by seq desc limit 1)" : "")}
            """)
        {
            Parameters =
            {
                new() { Value = _sequences },
                new() { Value = _at },
                new() { Value = Records.Select(r => r.Kind).ToArray() },
                new() { Value = Records.Select(r => r.Action).ToArray() },
                new() { Value = Records.Select(r => r.Actor).ToArray() },
                new() { Value = Records.Select(r => r.ActorRole).ToArray() },
                new() { Value = Records.Select(r => r.NhsNumber).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
                new() { Value = Records.Select(r => r.Purpose).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text },
                new() { Value = Records.Select(r => r.Outcome).ToArray() },
                new() { Value = Records.Select(r => r.RequestId).ToArray() },
                new() { Value = Records.Select(r => r.Details).ToArray() },
                new() { Value = _previousHashes },
                new() { Value = _hashes },
            },
        };
        if (guarded)
        {
            insert.Parameters.Add(new() { Value = Onto.Sequence });
            insert.Parameters.Add(new() { Value = Onto.Hash });
        }

        return insert;
    }
}
