using Npgsql;
using OptOut.EventStore;

namespace OptOut.Statistics;

/// <summary>
/// Reads the projection's counters and turns a month's changes into what stood at its end. The work is a few thousand
/// rows (months by measures, and practices), however many patients there are.
/// </summary>
public sealed class StatisticsReader(NpgsqlDataSource database, EventStoreNames names, TimeProvider clock)
{
    private readonly StatisticsTables _tables = new(names.Schema);

    public async Task<StatisticsReport> ReadAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        // One snapshot for the counters and the sequence they stand at: the projection commits both together, and a batch
        // committing between separate reads would otherwise pair newer counters with an older sequence.
        await using var snapshot = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        await using var progress = new NpgsqlCommand(
            $"select coalesce((select last_seq_id from {names.Schema}.mt_event_progression where name = @name), 0), " +
            $"(select kept_sequence from {_tables.Rebuild}), (select target from {_tables.Rebuild})", connection);
        progress.Parameters.AddWithValue("name", StatisticsProjection.Name + ":All");
        long sequence;
        RebuildProgress? rebuilding = null;
        await using (var reader = await progress.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            sequence = reader.GetInt64(0);
            // While a rebuild replays, its counters are part-way: the ones kept when it began are given instead.
            if (!reader.IsDBNull(2) && reader.GetInt64(2) > sequence)
            {
                rebuilding = new RebuildProgress(sequence, reader.GetInt64(2));
                sequence = reader.GetInt64(1);
            }
        }

        var (monthly, byPractice) = rebuilding is null ? (_tables.Monthly, _tables.ByPractice) : (_tables.KeptMonthly, _tables.KeptByPractice);
        var changes = new List<(DateOnly Month, string Measure, string Dimension, long Value)>();
        await using (var command = new NpgsqlCommand($"select month, measure, dimension, value from {monthly} order by month", connection))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                changes.Add((reader.GetFieldValue<DateOnly>(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3)));
            }
        }

        var practices = new List<PracticeFigures>();
        await using (var command = new NpgsqlCommand($"select practice, type1_in_force from {byPractice} where type1_in_force > 0 order by practice", connection))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                practices.Add(new PracticeFigures(reader.GetString(0), reader.GetInt64(1)));
            }
        }

        await snapshot.CommitAsync(ct);
        return new StatisticsReport(sequence, Months(changes), practices, rebuilding);
    }

    private List<MonthFigures> Months(List<(DateOnly Month, string Measure, string Dimension, long Value)> changes)
    {
        var months = new List<MonthFigures>();
        if (changes.Count == 0)
        {
            return months;
        }

        var byMonth = changes.ToLookup(c => c.Month);
        long national = 0, type1 = 0;
        var consents = new Dictionary<string, long>();
        var last = new[] { StatisticsMonths.Of(clock.GetUtcNow()), changes[^1].Month }.Max();
        for (var month = changes[0].Month; month <= last; month = month.AddMonths(1))
        {
            var these = byMonth[month].ToList();
            national += Sum(these, Measures.NationalInForce, Measures.Total);
            type1 += Sum(these, Measures.Type1InForce, Measures.Total);
            foreach (var c in these.Where(c => c.Measure == Measures.Consents))
            {
                consents[c.Dimension] = consents.GetValueOrDefault(c.Dimension) + c.Value;
            }

            months.Add(new MonthFigures(
                StatisticsMonths.Name(month), national, FlowOf(these, Measures.NationalSet), FlowOf(these, Measures.NationalWithdrawn), type1, ConsentsByPurpose(consents)));
        }

        return months;
    }

    private static Flow FlowOf(List<(DateOnly Month, string Measure, string Dimension, long Value)> month, string measure) => new(
        Sum(month, measure, Measures.Total),
        Sum(month, measure, Measures.BySelf),
        Sum(month, measure, Measures.ByProxy),
        month.Where(c => c.Measure == measure && c.Dimension.StartsWith(Measures.ChannelPrefix, StringComparison.Ordinal) && c.Value != 0)
            .OrderBy(c => c.Dimension, StringComparer.Ordinal)
            .ToDictionary(c => c.Dimension[Measures.ChannelPrefix.Length..], c => c.Value));

    private static long Sum(List<(DateOnly Month, string Measure, string Dimension, long Value)> month, string measure, string dimension) =>
        month.Where(c => c.Measure == measure && c.Dimension == dimension).Sum(c => c.Value);

    private static Dictionary<string, IReadOnlyDictionary<string, long>> ConsentsByPurpose(Dictionary<string, long> consents) =>
        consents.Where(c => c.Value != 0)
            .OrderBy(c => c.Key, StringComparer.Ordinal)
            .GroupBy(c => c.Key[..c.Key.LastIndexOf('/')])
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyDictionary<string, long>)g.ToDictionary(c => c.Key[(c.Key.LastIndexOf('/') + 1)..], c => c.Value));

    /// <summary>The national figures with every count suppressed as configured: nothing below the threshold leaves.</summary>
    public static NationalStatistics National(StatisticsReport report, SmallNumberSuppression suppression) => new(
        report.Sequence,
        new SuppressionRule(suppression.Threshold, suppression.RoundTo),
        [.. report.Months.Select(m => new NationalMonth(
            m.Month,
            suppression.Publish(m.NationalOptOutsInForce),
            suppression.Publish(m.NationalOptOutsSet.Total),
            suppression.Publish(m.NationalOptOutsWithdrawn.Total)))]);
}
