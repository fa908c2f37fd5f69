
namespace OptOut.EventStore;

/// <summary>
/// The tables and columns that plain SQL readers (the index, asOf checks) use for speed; event names are in <see cref="Records.StoredEvents"/>.
/// </summary>
public sealed class EventStoreNames(string schema)
{
    public string Schema { get; } = schema;

    public string Events => $"{Schema}.mt_events";

    public string Progression => $"{Schema}.mt_event_progression";

    public string Snapshots => $"{Schema}.mt_doc_patientpreferences";

    /// <summary>Marten's high-water mark: every event at or below it is committed (or was given up as a gap).</summary>
    public string HighWaterMarkQuery => $"select coalesce((select last_seq_id from {Progression} where name = 'HighWaterMark'), 0)";

    /// <summary>Duplicated from the snapshot's JSON by Marten so the index build reads a narrow column.</summary>
    public string NationalColumn => "national_data_opt_outopted_out";

    public string Type1Column => "type_1_opt_outdissent";
}
