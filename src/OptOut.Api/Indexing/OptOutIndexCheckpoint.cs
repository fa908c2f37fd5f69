using Npgsql;
using NpgsqlTypes;
using Weasel.Postgresql;
using Weasel.Postgresql.Tables;
using OptOut.EventStore;

namespace OptOut.Indexing;

/// <summary>
/// The opt-out index as it stood at one event sequence, saved so that start-up reads one compact value and the events
/// after it instead of producing millions of rows from the snapshots (docs/benchmarks.md).
/// A checkpoint is only a cache of what the event store says: it names the last event it reflects, and one whose event
/// is no longer there, or that was written for a different set of indexed events, is ignored and rebuilt from the
/// snapshots. The event store stays the record.
/// </summary>
public sealed class OptOutIndexCheckpoint(NpgsqlDataSource database, EventStoreNames names)
{
    private const string Name = "opt-out-index";

    private const string TableName = "opt_out_index_checkpoints";

    /// <summary>Bumped when the value's layout changes, so an older layout is never misread.</summary>
    private const int Format = 2;

    /// <summary>What the index follows: a checkpoint written when it followed other events is not this index.</summary>
    private static readonly string IndexedEvents = string.Join(",", Records.StoredEvents.IndexedNames);

    public string Table => $"{names.Schema}.{TableName}";

    /// <summary>Created and migrated by Marten with the rest of the event store.</summary>
    public static Table Definition(string schema)
    {
        var table = new Table(new PostgresqlObjectName(schema, TableName, SchemaUtils.IdentifierUsage.General));
        table.AddColumn("name", "text").AsPrimaryKey();
        table.AddColumn("sequence", "bigint").NotNull();
        table.AddColumn("last_event_seq", "bigint").NotNull();
        table.AddColumn("last_event_id", "uuid").NotNull();
        table.AddColumn("format", "int").NotNull();
        table.AddColumn("indexed_events", "text").NotNull();
        table.AddColumn("saved_at", "timestamptz").NotNull();
        table.AddColumn("data", "bytea").NotNull();
        return table;
    }

    /// <summary>
    /// Saves the index labelled with its sequence as this starts, unless a newer checkpoint is already there (another
    /// instance's). The follower may go on applying events meanwhile (see <see cref="OptOutIndexFollower"/>). Returns
    /// the sequence saved, or null when nothing was.
    /// </summary>
    public async Task<long?> SaveAsync(OptOutIndex index, CancellationToken ct)
    {
        var sequence = index.Sequence;
        await using var connection = await database.OpenConnectionAsync(ct);
        var last = await LastEventAsync(connection, sequence, ct);
        if (last is null)
        {
            return null;
        }

        await using var command = new NpgsqlCommand($"""
            insert into {Table} as c (name, sequence, last_event_seq, last_event_id, format, indexed_events, saved_at, data)
            values (@name, @sequence, @lastSeq, @lastId, @format, @indexed, now(), @data)
            on conflict (name) do update set sequence = excluded.sequence, last_event_seq = excluded.last_event_seq,
              last_event_id = excluded.last_event_id, format = excluded.format, indexed_events = excluded.indexed_events,
              saved_at = excluded.saved_at, data = excluded.data
            where c.sequence < excluded.sequence or c.format <> excluded.format or c.indexed_events <> excluded.indexed_events
            """, connection);
        command.Parameters.AddWithValue("name", Name);
        command.Parameters.AddWithValue("sequence", sequence);
        command.Parameters.AddWithValue("lastSeq", last.Value.Seq);
        command.Parameters.AddWithValue("lastId", last.Value.Id);
        command.Parameters.AddWithValue("format", Format);
        command.Parameters.AddWithValue("indexed", IndexedEvents);
        command.Parameters.Add(new NpgsqlParameter("data", NpgsqlDbType.Bytea) { Value = Write(index) });
        return await command.ExecuteNonQueryAsync(ct) == 1 ? sequence : null;
    }

    /// <summary>
    /// Loads the saved bits into an index that is not yet ready and returns the sequence they reflect, or null (and
    /// leaves the index untouched) when there is no checkpoint this store and this code can trust.
    /// </summary>
    public async Task<long?> TryLoadAsync(OptOutIndex index, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand(
            $"select sequence, last_event_seq, last_event_id, data from {Table} where name = @name and format = @format and indexed_events = @indexed",
            connection);
        command.Parameters.AddWithValue("name", Name);
        command.Parameters.AddWithValue("format", Format);
        command.Parameters.AddWithValue("indexed", IndexedEvents);
        long sequence;
        (long Seq, Guid Id) saved;
        byte[] data;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            if (!await reader.ReadAsync(ct))
            {
                return null;
            }

            sequence = reader.GetInt64(0);
            saved = (reader.GetInt64(1), reader.GetGuid(2));
            data = reader.GetFieldValue<byte[]>(3);
        }

        // A store emptied or restored from elsewhere has other events (or none) at that sequence.
        if (await LastEventAsync(connection, sequence, ct) != saved)
        {
            return null;
        }

        Read(data, index);
        return sequence;
    }

    private async Task<(long Seq, Guid Id)?> LastEventAsync(NpgsqlConnection connection, long atOrBelow, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"select seq_id, id from {names.Events} where seq_id <= @seq order by seq_id desc limit 1", connection);
        command.Parameters.AddWithValue("seq", atOrBelow);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? (reader.GetInt64(0), reader.GetGuid(1)) : null;
    }

    // Bases ascending as gaps in 7-bit groups: 3.5 million opt-outs take about 4 MB instead of 40 MB of chunks.
    private static byte[] Write(OptOutIndex index)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream))
        {
            WriteBases(writer, index.National.Bases());
            WriteBases(writer, index.Type1.Bases());
            WriteBases(writer, index.Refusing);
            var superseded = index.Supersessions;
            writer.Write(superseded.Count);
            foreach (var (from, to) in superseded)
            {
                writer.Write(from);
                writer.Write(to);
            }
        }

        return stream.ToArray();
    }

    /// <remarks>The follower may set bits while this runs, so the count is of the bases written, filled in after them.</remarks>
    private static void WriteBases(BinaryWriter writer, IEnumerable<int> ascending)
    {
        var countAt = writer.BaseStream.Position;
        writer.Write(0L);
        long count = 0;
        var previous = 0;
        foreach (var nhsBase in ascending)
        {
            writer.Write7BitEncodedInt(nhsBase - previous);
            previous = nhsBase;
            count++;
        }

        var end = writer.BaseStream.Position;
        writer.BaseStream.Position = countAt;
        writer.Write(count);
        writer.BaseStream.Position = end;
    }

    private static void Read(byte[] data, OptOutIndex index)
    {
        using var reader = new BinaryReader(new MemoryStream(data, writable: false));
        ReadBases(reader, b => index.SetNational(b, true));
        ReadBases(reader, b => index.SetType1(b, true));
        ReadBases(reader, index.SetRefusing);
        for (var count = reader.ReadInt32(); count > 0; count--)
        {
            index.Supersede(reader.ReadInt32(), reader.ReadInt32());
        }
    }

    private static void ReadBases(BinaryReader reader, Action<int> set)
    {
        var nhsBase = 0;
        for (var count = reader.ReadInt64(); count > 0; count--)
        {
            nhsBase += reader.Read7BitEncodedInt();
            set(nhsBase);
        }
    }
}
