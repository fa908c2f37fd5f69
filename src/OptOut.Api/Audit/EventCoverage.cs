using System.Security.Cryptography;
using Npgsql;

namespace OptOut.Audit;

/// <summary>
/// The re-verification's check of the event store against the trail (<see cref="EventDigests"/>): every stored event is
/// named by exactly one entry, or by a change's record still waiting to be chained, and the events an entry names
/// digest to what it recorded. Entries and events are read in one snapshot, so changes committed meanwhile are seen
/// whole or not at all. Events a superuser edits, deletes, moves into Marten's tombstone stream or adds are breaks.
/// </summary>
public sealed class EventCoverage
{
    // Event sequence -> the entry naming it; removed as the event store is read, so what is left is missing.
    private readonly Dictionary<long, long> _namedBy = [];

    // Entry -> its recorded digest and how many events it names; entries chained before digests have none.
    private readonly Dictionary<long, (string Digest, int Count)> _digests = [];

    public AuditMismatch? FirstBreak { get; private set; }

    public long EventsChecked { get; private set; }

    /// <summary>The entry that names an event, once every entry is taken in and before <see cref="CheckAsync"/> reads the events.</summary>
    public long? EntryNaming(long eventSequence) => _namedBy.TryGetValue(eventSequence, out var entry) && entry > 0 ? entry : null;

    /// <summary>Takes in one entry of the trail, in the order read.</summary>
    public void Add(AuditEntry entry)
    {
        if (entry.Kind != "change")
        {
            return;
        }

        var (sequences, digest) = EventDigests.Named(entry.Details);
        Name(entry.Sequence, sequences);
        if (digest is not null && sequences.Length > 0)
        {
            _digests[entry.Sequence] = (digest, sequences.Length);
        }
    }

    /// <summary>Reads, in the entries' snapshot, the records still pending and then every event, in order.</summary>
    public async Task CheckAsync(NpgsqlConnection connection, NpgsqlTransaction snapshot, AuditSchema schema, CancellationToken ct)
    {
        await NamePendingAsync(connection, snapshot, schema, ct);

        var open = new Dictionary<long, (IncrementalHash Hash, int Remaining)>();
        long lastEntry = 0;
        await using (var command = new NpgsqlCommand(
            $"select seq_id, stream_id = '{EventDigests.TombstoneStream}' and type = '{EventDigests.TombstoneType}', {EventDigests.Sql("e")} from {schema.Events} e order by seq_id",
            connection, snapshot))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var (sequence, tombstone) = (reader.GetInt64(0), reader.GetBoolean(1));
                if (tombstone)
                {
                    continue;
                }

                EventsChecked++;
                if (!_namedBy.Remove(sequence, out var entry))
                {
                    Break(Math.Max(lastEntry, 1), $"event {sequence} is named by no audit entry: it was added to the event store outside OptOut");
                    continue;
                }

                lastEntry = entry;
                if (entry > 0 && _digests.TryGetValue(entry, out var recorded))
                {
                    var (hash, remaining) = open.TryGetValue(entry, out var started) ? started : (IncrementalHash.CreateHash(HashAlgorithmName.SHA256), recorded.Count);
                    hash.AppendData(reader.GetFieldValue<byte[]>(2));
                    if (--remaining > 0)
                    {
                        open[entry] = (hash, remaining);
                        continue;
                    }

                    open.Remove(entry);
                    if (Convert.ToHexStringLower(hash.GetHashAndReset()) != recorded.Digest)
                    {
                        Break(entry, $"the decisions entry {entry} recorded (events up to {sequence}) were changed after they were recorded");
                    }

                    hash.Dispose();
                }
            }
        }

        foreach (var (sequence, entry) in _namedBy.Where(n => n.Value > 0).OrderBy(n => n.Value).Take(1))
        {
            Break(entry, $"event {sequence}, named by entry {entry}, is missing from the event store (deleted, or moved out of its stream)");
        }

        foreach (var (hash, _) in open.Values)
        {
            hash.Dispose();
        }
    }

    /// <summary>A change committed but not yet chained names its events in the pending table (entry 0: no digest yet).</summary>
    private async Task NamePendingAsync(NpgsqlConnection connection, NpgsqlTransaction snapshot, AuditSchema schema, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"""
            select e.seq_id, null from {schema.Events} e where e.id in (select unnest(event_ids) from {schema.Pending})
            union all select null, record::text from {schema.Pending} where cardinality(event_ids) = 0
            """, connection, snapshot);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            if (!reader.IsDBNull(0))
            {
                Name(0, [reader.GetInt64(0)]);
            }
            // Read as the chaining reads it: a record it would chain as unreadable names nothing, so its events show as unnamed.
            else if (AuditLog.Readable(reader.GetString(1)) is { Details: { } details })
            {
                Name(0, EventDigests.Named(details).Sequences);
            }
        }
    }

    private void Name(long entry, long[] sequences)
    {
        foreach (var sequence in sequences)
        {
            if (!_namedBy.TryAdd(sequence, entry))
            {
                Break(entry, $"entry {entry} names event {sequence}, which entry {_namedBy[sequence]} names too");
            }
        }
    }

    private void Break(long entry, string problem) => FirstBreak ??= new AuditMismatch(entry, problem);
}
