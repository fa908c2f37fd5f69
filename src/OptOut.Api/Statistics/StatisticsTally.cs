using Marten;
using OptOut.Records;

namespace OptOut.Statistics;

/// <summary>One batch's changes to the counters, gathered in memory and written as one upsert per counter touched.</summary>
public sealed class StatisticsTally
{
    private readonly Dictionary<(DateOnly Month, string Measure, string Dimension), long> _monthly = [];
    private readonly Dictionary<string, long> _practices = [];

    public IReadOnlyDictionary<(DateOnly Month, string Measure, string Dimension), long> Monthly => _monthly;

    public IReadOnlyDictionary<string, long> Practices => _practices;

    /// <summary>What changed in force when a record went from one standing to another.</summary>
    public void Change(DateOnly month, Standing before, Standing after)
    {
        if (before.NationalOptOut != after.NationalOptOut)
        {
            Add(month, Measures.NationalInForce, Measures.Total, after.NationalOptOut ? 1 : -1);
        }

        if (before.Type1Practice != after.Type1Practice)
        {
            if (before.Type1Practice is { } left)
            {
                Add(month, Measures.Type1InForce, Measures.Total, -1);
                _practices[left] = _practices.GetValueOrDefault(left) - 1;
            }

            if (after.Type1Practice is { } joined)
            {
                Add(month, Measures.Type1InForce, Measures.Total, 1);
                _practices[joined] = _practices.GetValueOrDefault(joined) + 1;
            }
        }

        foreach (var ended in before.Consents.Except(after.Consents))
        {
            Add(month, Measures.Consents, ended, -1);
        }

        foreach (var started in after.Consents.Except(before.Consents))
        {
            Add(month, Measures.Consents, started, 1);
        }
    }

    /// <summary>National opt-outs set and withdrawn in the month: in all, by who decided and by channel.</summary>
    public void Flow(DateOnly month, object change)
    {
        var (measure, by, channel) = change switch
        {
            NationalDataOptOutSet e => (Measures.NationalSet, e.DecidedBy, e.Channel),
            NationalDataOptOutWithdrawn e => (Measures.NationalWithdrawn, e.DecidedBy, e.Channel),
            _ => (null, null, default(Channel)),
        };
        if (measure is null)
        {
            return;
        }

        Add(month, measure, Measures.Total, 1);
        Add(month, measure, by!.IsProxy ? Measures.ByProxy : Measures.BySelf, 1);
        Add(month, measure, Measures.ChannelPrefix + channel.WireName(), 1);
    }

    /// <summary>Queues the batch's upserts on the projection's unit of work, so they commit with its progress.</summary>
    public void Queue(IDocumentOperations operations, StatisticsTables tables)
    {
        foreach (var ((month, measure, dimension), delta) in _monthly.Where(c => c.Value != 0))
        {
            operations.QueueSqlCommand(
                $"insert into {tables.Monthly} (month, measure, dimension, value) values (?, ?, ?, ?) " +
                $"on conflict (month, measure, dimension) do update set value = {tables.Monthly}.value + excluded.value",
                month, measure, dimension, delta);
        }

        foreach (var (practice, delta) in _practices.Where(c => c.Value != 0))
        {
            operations.QueueSqlCommand(
                $"insert into {tables.ByPractice} (practice, type1_in_force) values (?, ?) " +
                $"on conflict (practice) do update set type1_in_force = {tables.ByPractice}.type1_in_force + excluded.type1_in_force",
                practice, delta);
        }
    }

    private void Add(DateOnly month, string measure, string dimension, long delta)
    {
        var key = (month, measure, dimension);
        _monthly[key] = _monthly.GetValueOrDefault(key) + delta;
    }
}
