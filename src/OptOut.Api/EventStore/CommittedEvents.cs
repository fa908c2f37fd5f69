using JasperFx.Events;
using Marten;
using Npgsql;

namespace OptOut.EventStore;

/// <summary>A page of events known to be committed; <see cref="CommittedTo"/> is the sequence up to which everything is.</summary>
public sealed record CommittedPage<T>(IReadOnlyList<T> Events, long CommittedTo, bool Full);

/// <summary>
/// The one meaning of "committed" for every reader that follows the event log (the publisher, the opt-out index, the
/// change feed): every event up to Marten's high-water mark, and beyond it those that follow on without a gap. A gap is
/// a transaction still in flight (or one rolled back, which the mark passes in time), so nothing after it is taken yet:
/// an event committed later always has a later sequence than every event taken. Readers so see a change one poll after
/// its commit without waiting for the daemon, and never skip one committed late.
/// </summary>
public sealed class CommittedEvents(EventStoreNames names)
{
    /// <summary>Marten's high-water mark: every event at or below it is committed (or was given up as a gap).</summary>
    public async Task<long> HighWaterMarkAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(names.HighWaterMarkQuery, connection);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// The highest sequence a reader can have been given: a change's, or the high-water mark as a feed's cursor (it
    /// passes the sequences of transactions that rolled back). One asked for beyond it names no change yet recorded: a
    /// mistyped cursor, or one kept from before the store was restored from a backup.
    /// </summary>
    public async Task<long> LatestSequenceAsync(NpgsqlDataSource database, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        return await LatestSequenceAsync(connection, ct);
    }

    /// <inheritdoc cref="LatestSequenceAsync(NpgsqlDataSource, CancellationToken)"/>
    public async Task<long> LatestSequenceAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"select greatest((select coalesce(max(seq_id), 0) from {names.Events}), ({names.HighWaterMarkQuery}))", connection);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Up to <paramref name="limit"/> committed events after <paramref name="after"/>, in sequence order.</summary>
    public async Task<CommittedPage<IEvent>> ReadAsync(IQuerySession session, NpgsqlConnection connection, long after, int limit, CancellationToken ct)
    {
        // The mark is read first: every event at or below it is then visible to the page's read.
        var mark = await HighWaterMarkAsync(connection, ct);
        var page = await session.Events.QueryAllRawEvents()
            .Where(e => e.Sequence > after)
            .OrderBy(e => e.Sequence)
            .Take(limit)
            .ToListAsync(ct);
        return Take(page, e => e.Sequence, after, mark, limit);
    }

    /// <summary>
    /// The committed part of a page read in sequence order after <paramref name="after"/> (every event, not a filtered
    /// selection, since a gap is how a transaction in flight shows). Progress never moves back; a full page stops at its
    /// last event, even below the mark, as what lies between is for the next page.
    /// </summary>
    public static CommittedPage<T> Take<T>(IReadOnlyList<T> page, Func<T, long> sequenceOf, long after, long highWaterMark, int limit)
    {
        var committedTo = Math.Max(after, highWaterMark);
        var taken = 0;
        while (taken < page.Count && sequenceOf(page[taken]) <= committedTo + 1)
        {
            committedTo = Math.Max(committedTo, sequenceOf(page[taken]));
            taken++;
        }

        return taken == limit
            ? new CommittedPage<T>(page, sequenceOf(page[^1]), true)
            : new CommittedPage<T>([.. page.Take(taken)], committedTo, false);
    }
}
