using JasperFx.Events;

namespace OptOut.Records;

/// <summary>What an event does to the in-memory opt-out index.</summary>
public enum IndexEffect
{
    None,
    SetsNationalOptOut,
    WithdrawsNationalOptOut,
    SetsType1OptOut,
    WithdrawsType1OptOut,
    Supersedes,
    Merges,
    /// <summary>The record may now hold a refusal of consent, which bulk checks then weigh as single decisions do.</summary>
    RefusesConsent,
}

/// <summary>One stored event type: the name it is stored under, what it does to the index, and the message it is published as.</summary>
public sealed record StoredEvent(Type Type, string Name, IndexEffect Index, Func<IEvent, object>? Message)
{
    /// <summary>Why an event is stored but not published, when it is not.</summary>
    public string? NotPublishedBecause { get; init; }

    /// <summary>Which events of this type are stored, and in the change feed, but not sent to RabbitMQ, and why.</summary>
    public (Func<object, bool> Applies, string Because)? NotPublishedWhen { get; init; }
}

/// <summary>
/// The one catalogue of stored events. Marten's type names, the publisher, the index follower and the importer all
/// read it, and a unit test fails when an event type on a patient's stream is missing here or from the aggregate.
/// </summary>
public static class StoredEvents
{
    public static readonly StoredEvent NationalSet = Of<NationalDataOptOutSet>("national_data_opt_out_set", IndexEffect.SetsNationalOptOut, NationalDataOptOutMessages.ToMessage) with
    {
        NotPublishedWhen = (e => e is NationalDataOptOutSet { Channel: Channel.Migrated },
            "imported from the previous system: millions at once would flood consumers, who read them from the change feed"),
    };
    public static readonly StoredEvent NationalWithdrawn = Of<NationalDataOptOutWithdrawn>("national_data_opt_out_withdrawn", IndexEffect.WithdrawsNationalOptOut, NationalDataOptOutMessages.ToMessage);
    public static readonly StoredEvent Type1Recorded = Of<Type1OptOutRecorded>("type1_opt_out_recorded", IndexEffect.SetsType1OptOut, Type1OptOutMessages.ToMessage);
    public static readonly StoredEvent Type1Withdrawn = Of<Type1OptOutWithdrawn>("type1_opt_out_withdrawn", IndexEffect.WithdrawsType1OptOut, Type1OptOutMessages.ToMessage);
    public static readonly StoredEvent ConsentRefusal = Of<ConsentRefused>("consent_refused", IndexEffect.RefusesConsent, ConsentMessages.ToMessage);
    public static readonly StoredEvent Superseded = Of<NhsNumberSuperseded>("nhs_number_superseded", IndexEffect.Supersedes, SupersessionMessages.ToMessage);

    public static readonly StoredEvent Merged = new(typeof(SupersededRecordMerged), "superseded_record_merged", IndexEffect.Merges, null)
    {
        NotPublishedBecause = "the merge's other half: one NhsNumberSuperseded message tells consumers all they need",
    };

    public static readonly IReadOnlyList<StoredEvent> All =
    [
        NationalSet,
        NationalWithdrawn,
        Type1Recorded,
        Type1Withdrawn,
        Of<ConsentGranted>("consent_granted", IndexEffect.None, ConsentMessages.ToMessage),
        ConsentRefusal,
        Of<ConsentWithdrawn>("consent_withdrawn", IndexEffect.None, ConsentMessages.ToMessage),
        Of<ConsentExpired>("consent_expired", IndexEffect.None, ConsentMessages.ToMessage),
        Of<ProxyAuthorised>("proxy_authorised", IndexEffect.None, ProxyMessages.ToMessage),
        Of<ProxyAuthorityRevoked>("proxy_authority_revoked", IndexEffect.None, ProxyMessages.ToMessage),
        Superseded,
        Merged,
    ];

    private static readonly Dictionary<Type, StoredEvent> ByType = All.ToDictionary(e => e.Type);

    private static readonly Dictionary<string, StoredEvent> ByName = All.ToDictionary(e => e.Name);

    /// <summary>The names of the events the opt-out index follows.</summary>
    public static readonly string[] IndexedNames = [.. All.Where(e => e.Index != IndexEffect.None).Select(e => e.Name)];

    public static StoredEvent For(Type eventType) =>
        ByType.TryGetValue(eventType, out var e) ? e : throw new ArgumentException($"{eventType.Name} is not in the stored-event catalogue.", nameof(eventType));

    /// <summary>The catalogue entry, or null for events that are not OptOut's own (Marten's tombstones fill a failed append's sequence numbers).</summary>
    public static StoredEvent? Find(Type eventType) => ByType.GetValueOrDefault(eventType);

    /// <summary>The catalogue entry for a name as stored in the event table, or null for a name OptOut never stores.</summary>
    public static StoredEvent? Named(string storedName) => ByName.GetValueOrDefault(storedName);

    public static IndexEffect IndexEffectOf(string storedName) => ByName.TryGetValue(storedName, out var e) ? e.Index : IndexEffect.None;

    public static bool IsIndexed(Type eventType) => For(eventType).Index != IndexEffect.None;

    private static StoredEvent Of<T>(string name, IndexEffect index, Func<IEvent<T>, object> message)
        where T : notnull =>
        new(typeof(T), name, index, e => message((IEvent<T>)e));
}
