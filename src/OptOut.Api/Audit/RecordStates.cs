using Marten;
using System.Text.Json;
using System.Threading.Channels;
using Npgsql;
using OptOut.EventStore;
using OptOut.Records;

namespace OptOut.Audit;

/// <summary>
/// The re-verification's check of what OptOut answers from against the decisions it answers for. Reads do not replay
/// events: each record's snapshot says who may act for the patient and which number a merged one follows, and is what a
/// cold build of the opt-out index reads. A superuser who edits a snapshot (adds a proxy, clears an opt-out) changes
/// answers without touching an event or an entry, so every record is folded again from its events, by the record's own
/// Apply methods, and compared with its snapshot; a difference is a break. The folds also say what the opt-out index
/// must hold (<see cref="IndexAgreement"/>).
/// </summary>
public sealed class RecordStates(ISerializer serializer, EventStoreNames names, VerificationProgress progress)
{
    // Rows a cursor hands over at a time; a reader keeps at most two pages ahead of the folding.
    private const int Page = 5_000;

    public AuditMismatch? FirstBreak { get; private set; }

    public long RecordsChecked { get; private set; }

    /// <summary>What the decisions say the index must hold, record by record in number order.</summary>
    public IndexExpectation Expected { get; } = new();

    /// <summary>
    /// Reads every event in record order beside every snapshot in the same order, in the re-verification's snapshot
    /// (<paramref name="snapshotId"/>, exported by its transaction). <paramref name="entryNaming"/> finds the entry that
    /// recorded an event, so a break points at the record's latest entry.
    /// </summary>
    public async Task CheckAsync(NpgsqlDataSource database, string snapshotId, Func<long, long?> entryNaming, long head, CancellationToken ct)
    {
        // Each side is read on a connection of its own that imports the snapshot, and read ahead while the records are
        // folded: PostgreSQL's writing out of the JSON, the reading and the folding then overlap (docs/benchmarks.md).
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var eventPages = System.Threading.Channels.Channel.CreateBounded<List<StoredEvent>>(2);
        var snapshotPages = System.Threading.Channels.Channel.CreateBounded<List<StoredSnapshot>>(2);
        var readers = Task.WhenAll(
            ReadAheadAsync(database, snapshotId, "record_events", $"select stream_id, version, seq_id, type, data from {names.Events} where stream_id <> '{EventDigests.TombstoneStream}' order by stream_id, version", ReadEvent, eventPages.Writer, stop.Token),
            ReadAheadAsync(database, snapshotId, "record_snapshots", $"select id, data, coalesce({names.NationalColumn}, false), coalesce({names.Type1Column}, false), mt_version from {names.Snapshots} order by id", ReadSnapshot, snapshotPages.Writer, stop.Token));
        try
        {
            await FoldAsync(Rows(eventPages.Reader, stop.Token), Rows(snapshotPages.Reader, stop.Token), entryNaming, head);
        }
        finally
        {
            // A break ends the pass early: the readers are stopped, and whatever their stopping throws is ours.
            var stopped = FirstBreak is not null;
            if (stopped)
            {
                await stop.CancelAsync();
            }

            try
            {
                await readers;
            }
            catch (Exception) when (stopped && !ct.IsCancellationRequested)
            {
            }
        }
    }

    private async Task FoldAsync(IAsyncEnumerable<StoredEvent> eventRows, IAsyncEnumerable<StoredSnapshot> snapshotRows, Func<long, long?> entryNaming, long head)
    {
        await using var events = eventRows.GetAsyncEnumerator();
        await using var snapshots = snapshotRows.GetAsyncEnumerator();
        var (moreEvents, moreSnapshots) = (await events.MoveNextAsync(), await snapshots.MoveNextAsync());
        while (FirstBreak is null && (moreEvents || moreSnapshots))
        {
            // Both cursors run in the database's order; ten-digit numbers sort alike in every collation and in ordinal.
            var id = !moreSnapshots || (moreEvents && string.CompareOrdinal(events.Current.Stream, snapshots.Current.Id) < 0) ? events.Current.Stream : snapshots.Current.Id;
            if (!NhsNumbers.NhsNumber.TryParse(id, out var number, out _))
            {
                Break(head, "a record is stored under something that is not an NHS number: it was added outside OptOut");
                return;
            }

            var fold = new Fold();
            while (moreEvents && events.Current.Stream == id)
            {
                fold.Apply(events.Current);
                moreEvents = await events.MoveNextAsync();
            }

            StoredSnapshot? stored = null;
            if (moreSnapshots && snapshots.Current.Id == id)
            {
                stored = snapshots.Current;
                moreSnapshots = await snapshots.MoveNextAsync();
            }

            var entry = fold.LastSequence is { } last ? entryNaming(last) : null;
            if (Compare(fold, stored) is { } problem)
            {
                Break(entry ?? head, entry is null ? $"{problem} (no entry names its latest decision)" : problem);
                return;
            }

            RecordsChecked++;
            progress.RecordChecked();
            Expected.Add(number.Base, fold.State!);
        }
    }

    /// <summary>Why the stored snapshot is not what the events fold to, or null when it is.</summary>
    private static string? Compare(Fold fold, StoredSnapshot? stored)
    {
        if (fold.Problem is { } wrong)
        {
            return wrong;
        }

        if (fold.State is null)
        {
            return "a record is stored with no decision behind it: its snapshot was added outside OptOut";
        }

        if (stored is null)
        {
            return "a record's snapshot is missing, so it answers as a patient with no choices: it was deleted outside OptOut";
        }

        var expected = fold.State with { Version = fold.Version };
        if (stored.State is null || !Same(stored.State, expected) || stored.Version != fold.Version)
        {
            return "a record's snapshot differs from the decisions it was made from, so answers read from it are wrong: it was edited outside OptOut";
        }

        return stored.National != expected.NationalDataOptOut.OptedOut || stored.Type1 != expected.Type1OptOut.Dissent
            ? "a record's opt-out columns differ from its decisions (the index's cold build reads them): they were edited outside OptOut"
            : null;
    }

    /// <summary>
    /// Whether two records hold the same choices, field by field as they are read (the snapshot's JSON is read into the
    /// record first, so what the model does not read cannot change an answer). Records compare by value; their
    /// collections are compared here. A collection added to the record compares by reference, so it breaks every record
    /// until it is added here too: loudly, never silently.
    /// </summary>
    private static bool Same(PatientPreferences stored, PatientPreferences folded) =>
        stored with { Consents = NoConsents, Proxies = NoProxies, Supersedes = NoNumbers } == folded with { Consents = NoConsents, Proxies = NoProxies, Supersedes = NoNumbers }
        && stored.Consents.Count == folded.Consents.Count && folded.Consents.All(c => stored.Consents.TryGetValue(c.Key, out var same) && same == c.Value)
        && stored.Proxies.SequenceEqual(folded.Proxies) && stored.Supersedes.SequenceEqual(folded.Supersedes, StringComparer.Ordinal);

    private static readonly Dictionary<string, ConsentChoice> NoConsents = [];

    private static readonly IReadOnlyList<ProxyAuthority> NoProxies = [];

    private static readonly IReadOnlyList<string> NoNumbers = [];

    private void Break(long entry, string problem) => FirstBreak ??= new AuditMismatch(entry, problem);

    private StoredEvent ReadEvent(NpgsqlDataReader r)
    {
        var (stream, version, sequence, type) = (r.GetString(0), r.GetInt64(1), r.GetInt64(2), r.GetString(3));
        if (StoredEvents.Named(type) is not { } known)
        {
            return new StoredEvent(stream, version, sequence, null, $"event {sequence} has a type OptOut never stores: it was added or edited outside OptOut");
        }

        try
        {
            return new StoredEvent(stream, version, sequence, serializer.FromJson(known.Type, r, 4), null);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException or ArgumentException or FormatException)
        {
            return new StoredEvent(stream, version, sequence, null, $"event {sequence} cannot be read as the {type} it says it is: it was edited outside OptOut");
        }
    }

    private StoredSnapshot ReadSnapshot(NpgsqlDataReader r)
    {
        var (id, national, type1, version) = (r.GetString(0), r.GetBoolean(2), r.GetBoolean(3), r.GetInt64(4));
        try
        {
            return new StoredSnapshot(id, serializer.FromJson<PatientPreferences>(r, 1), national, type1, version);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException or ArgumentException or FormatException)
        {
            // Edited into something the record cannot be read from: it differs from every fold.
            return new StoredSnapshot(id, null, national, type1, version);
        }
    }

    /// <summary>A query read a page at a time through a cursor, in the exported snapshot, into a channel; ends it with any failure.</summary>
    private static async Task ReadAheadAsync<T>(
        NpgsqlDataSource database, string snapshotId, string cursor, string query, Func<NpgsqlDataReader, T> read, ChannelWriter<List<T>> pages, CancellationToken ct)
    {
        try
        {
            await using var connection = await database.OpenConnectionAsync(ct);
            await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
            await using (var setUp = new NpgsqlCommand($"set transaction snapshot '{snapshotId}'; declare {cursor} no scroll cursor for {query}", connection, transaction))
            {
                await setUp.ExecuteNonQueryAsync(ct);
            }

            for (var full = true; full;)
            {
                var page = new List<T>(Page);
                // A name of its own for each shape of row: Npgsql prepares a statement used often, and keeps its columns.
                await using (var fetch = new NpgsqlCommand($"fetch {Page} from {cursor}", connection, transaction))
                await using (var reader = await fetch.ExecuteReaderAsync(ct))
                {
                    while (await reader.ReadAsync(ct))
                    {
                        page.Add(read(reader));
                    }
                }

                full = page.Count == Page;
                await pages.WriteAsync(page, ct);
            }

            pages.Complete();
        }
        catch (Exception e)
        {
            pages.Complete(e);
            throw;
        }
    }

    private static async IAsyncEnumerable<T> Rows<T>(ChannelReader<List<T>> pages, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var page in pages.ReadAllAsync(ct))
        {
            foreach (var row in page)
            {
                yield return row;
            }
        }
    }

    private sealed record StoredEvent(string Stream, long Version, long Sequence, object? Data, string? Problem);

    private sealed record StoredSnapshot(string Id, PatientPreferences? State, bool National, bool Type1, long Version);

    /// <summary>One record's events folded in version order, as Marten folds them into its snapshot.</summary>
    private sealed class Fold
    {
        public PatientPreferences? State { get; private set; }

        public long Version { get; private set; }

        public long? LastSequence { get; private set; }

        public string? Problem { get; private set; }

        public void Apply(StoredEvent e)
        {
            LastSequence = e.Sequence;
            Version = e.Version;
            if (Problem is not null)
            {
                return;
            }

            if (e.Data is null)
            {
                Problem = e.Problem;
                return;
            }

            try
            {
                State = (State ?? new PatientPreferences()).Applying(e.Data);
            }
            // Data edited to leave out what a record needs reads as nulls (the serializer does not enforce nullability).
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or NullReferenceException)
            {
                Problem = $"event {e.Sequence} cannot be applied to its record: it was edited outside OptOut";
            }
        }
    }
}
