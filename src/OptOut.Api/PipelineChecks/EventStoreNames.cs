using OptOut.Consents;
using OptOut.NationalDataOptOut;
using OptOut.Proxies;
using OptOut.Supersession;
using OptOut.Type1OptOut;

namespace OptOut.PipelineChecks;

/// <summary>
/// The tables, columns and stored event type names that plain SQL readers (the index, asOf checks) use for speed.
/// </summary>
public sealed class EventStoreNames(string schema)
{
    public const string NationalSet = "national_data_opt_out_set";
    public const string NationalWithdrawn = "national_data_opt_out_withdrawn";
    public const string Type1Recorded = "type1_opt_out_recorded";
    public const string Type1Withdrawn = "type1_opt_out_withdrawn";
    public const string Superseded = "nhs_number_superseded";
    public const string Merged = "superseded_record_merged";

    /// <summary>Every stored event type and the name it is stored under.</summary>
    public static readonly (Type Type, string Name)[] StoredEventTypes =
    [
        (typeof(NationalDataOptOutSet), NationalSet),
        (typeof(NationalDataOptOutWithdrawn), NationalWithdrawn),
        (typeof(Type1OptOutRecorded), Type1Recorded),
        (typeof(Type1OptOutWithdrawn), Type1Withdrawn),
        (typeof(ConsentGranted), "consent_granted"),
        (typeof(ConsentRefused), "consent_refused"),
        (typeof(ConsentWithdrawn), "consent_withdrawn"),
        (typeof(ConsentExpired), "consent_expired"),
        (typeof(ProxyAuthorised), "proxy_authorised"),
        (typeof(ProxyAuthorityRevoked), "proxy_authority_revoked"),
        (typeof(NhsNumberSuperseded), Superseded),
        (typeof(SupersededRecordMerged), Merged),
    ];

    public static readonly string[] IndexedEventTypes = [NationalSet, NationalWithdrawn, Type1Recorded, Type1Withdrawn, Superseded, Merged];

    /// <summary>Whether the opt-out index follows events of this type.</summary>
    public static bool IsIndexed(Type eventType) =>
        StoredEventTypes.Any(t => t.Type == eventType && IndexedEventTypes.Contains(t.Name));

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
