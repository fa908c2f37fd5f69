using Weasel.Postgresql;
using Weasel.Postgresql.Tables;

namespace OptOut.Statistics;

/// <summary>
/// The projection's two counter tables, created and migrated by Marten with the rest of the event store. Counters
/// are added to, never overwritten, so a batch's changes are one upsert per counter and reads sum a few thousand rows
/// whatever the number of patients.
/// </summary>
public sealed class StatisticsTables(string schema)
{
    /// <summary>month (first day, UK time), measure, dimension: the change in the month.</summary>
    public string Monthly => $"{schema}.statistics_monthly";

    /// <summary>practice: Type 1 opt-outs in force now.</summary>
    public string ByPractice => $"{schema}.statistics_by_practice";

    public IEnumerable<Table> Definitions()
    {
        var monthly = new Table(new PostgresqlObjectName(schema, "statistics_monthly", SchemaUtils.IdentifierUsage.General));
        monthly.AddColumn("month", "date").AsPrimaryKey();
        monthly.AddColumn("measure", "text").AsPrimaryKey();
        monthly.AddColumn("dimension", "text").AsPrimaryKey();
        monthly.AddColumn("value", "bigint").NotNull();
        yield return monthly;

        var practices = new Table(new PostgresqlObjectName(schema, "statistics_by_practice", SchemaUtils.IdentifierUsage.General));
        practices.AddColumn("practice", "text").AsPrimaryKey();
        practices.AddColumn("type1_in_force", "bigint").NotNull();
        yield return practices;
    }
}
