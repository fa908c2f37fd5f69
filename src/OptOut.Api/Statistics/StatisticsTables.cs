using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace OptOut.Statistics;

/// <summary>
/// The projection's two counter tables, created and migrated by Marten with the rest of the event store. Counters
/// are added to, never overwritten, so a batch's changes are one upsert per counter and reads sum a few thousand rows
/// whatever the number of patients. A rebuild empties them and replays every event, which takes minutes for the whole
/// country, so it first keeps a copy of both (and of the sequence they stood at) that readers are given meanwhile.
/// </summary>
public sealed class StatisticsTables(string schema)
{
    /// <summary>month (first day, UK time), measure, dimension: the change in the month.</summary>
    public string Monthly => $"{schema}.statistics_monthly";

    /// <summary>practice: Type 1 opt-outs in force now.</summary>
    public string ByPractice => $"{schema}.statistics_by_practice";

    /// <summary>The counters as they stood when the latest rebuild began.</summary>
    public string KeptMonthly => $"{schema}.statistics_monthly_kept";

    public string KeptByPractice => $"{schema}.statistics_by_practice_kept";

    /// <summary>One row once a rebuild has begun: the sequence the kept counters stood at, and the one the replay must reach.</summary>
    public string Rebuild => $"{schema}.statistics_rebuild";

    public IEnumerable<Table> Definitions()
    {
        foreach (var name in new[] { "statistics_monthly", "statistics_monthly_kept" })
        {
            var monthly = new Table(new PostgresqlObjectName(schema, name, SchemaUtils.IdentifierUsage.General));
            monthly.AddColumn("month", "date").AsPrimaryKey();
            monthly.AddColumn("measure", "text").AsPrimaryKey();
            monthly.AddColumn("dimension", "text").AsPrimaryKey();
            monthly.AddColumn("value", "bigint").NotNull();
            yield return monthly;
        }

        foreach (var name in new[] { "statistics_by_practice", "statistics_by_practice_kept" })
        {
            var practices = new Table(new PostgresqlObjectName(schema, name, SchemaUtils.IdentifierUsage.General));
            practices.AddColumn("practice", "text").AsPrimaryKey();
            practices.AddColumn("type1_in_force", "bigint").NotNull();
            yield return practices;
        }

        var rebuild = new Table(new PostgresqlObjectName(schema, "statistics_rebuild", SchemaUtils.IdentifierUsage.General));
        rebuild.AddColumn("id", "integer").AsPrimaryKey();
        rebuild.AddColumn("kept_sequence", "bigint").NotNull();
        rebuild.AddColumn("target", "bigint").NotNull();
        rebuild.AddColumn("started_at", "timestamptz").NotNull();
        yield return rebuild;
    }
}
