using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using OptOut.Records;

namespace OptOut.Statistics;

/// <summary>
/// Keeps the statistics' counters current from the events, run by Marten's async daemon so a change never waits
/// for it. For each event it compares what the patient's record added to the figures before and after, which keeps
/// merges, a practice change and a consent moving from permit to deny right without a rule of its own: the record is
/// folded by the same <see cref="PatientPreferences"/> the write path uses. A record's earlier events are read once
/// per batch, and only for records that began before the batch (a first event needs none: migrations are all firsts).
/// </summary>
public sealed class StatisticsProjection(StatisticsTables tables) : IProjection
{
    public const string Name = "Statistics";

    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        var changes = events.Where(e => StoredEvents.Find(e.EventType) is not null && e.StreamKey is not null).ToList();
        if (changes.Count == 0)
        {
            return;
        }

        var records = await RecordsBeforeAsync(operations, changes, cancellation);
        var tally = new StatisticsTally();
        foreach (var e in changes)
        {
            var before = records.GetValueOrDefault(e.StreamKey!) ?? PatientPreferences.Empty(e.StreamKey!);
            var after = before.Applying(e.Data);
            records[e.StreamKey!] = after;

            var month = StatisticsMonths.Of(((IPatientEvent)e.Data).RecordedAt);
            tally.Change(month, Standing.Of(before), Standing.Of(after));
            tally.Flow(month, e.Data);
        }

        tally.Queue(operations, tables);
    }

    private static async Task<Dictionary<string, PatientPreferences>> RecordsBeforeAsync(
        IDocumentOperations operations, List<IEvent> changes, CancellationToken cancellation)
    {
        var firstSequence = changes[0].Sequence;
        var begunEarlier = changes.GroupBy(e => e.StreamKey!).Where(g => g.First().Version > 1).Select(g => g.Key).ToArray();
        var records = new Dictionary<string, PatientPreferences>();
        if (begunEarlier.Length == 0)
        {
            return records;
        }

        var earlier = await operations.Events.QueryAllRawEvents()
            .Where(e => e.StreamKey!.IsOneOf(begunEarlier) && e.Sequence < firstSequence)
            .OrderBy(e => e.Sequence)
            .ToListAsync(cancellation);
        foreach (var e in earlier.Where(e => StoredEvents.Find(e.EventType) is not null))
        {
            records[e.StreamKey!] = (records.GetValueOrDefault(e.StreamKey!) ?? PatientPreferences.Empty(e.StreamKey!)).Applying(e.Data);
        }

        return records;
    }
}
