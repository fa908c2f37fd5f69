
namespace OptOut.Records;

/// <summary>
/// A patient's choices as they stand: the write model the deciders read, and the inline snapshot that
/// reads load. One event stream per NHS number, keyed by its ten digits. Never mutated: each Apply
/// returns a new value.
/// </summary>
public sealed record PatientPreferences
{
    public string Id { get; init; } = "";

    /// <summary>The stream version: how many events the record holds.</summary>
    public long Version { get; init; }

    public NationalDataOptOutChoice NationalDataOptOut { get; init; } = NationalDataOptOutChoice.None;

    public Type1OptOutChoice Type1OptOut { get; init; } = Type1OptOutChoice.None;

    /// <summary>The latest choice for each purpose, keyed by purpose code, including withdrawn and expired ones.</summary>
    public IReadOnlyDictionary<string, ConsentChoice> Consents { get; init; } = new Dictionary<string, ConsentChoice>();

    public IReadOnlyList<ProxyAuthority> Proxies { get; init; } = [];

    /// <summary>The number that replaced this one, when records were merged; reads and writes follow it.</summary>
    public string? SupersededBy { get; init; }

    /// <summary>Numbers merged into this record.</summary>
    public IReadOnlyList<string> Supersedes { get; init; } = [];

    /// <summary>When the earliest permit or refusal still standing runs out, so expiry can find it with one indexed query.</summary>
    public DateTimeOffset? NextConsentExpiry { get; init; }

    public static PatientPreferences Empty(string nhsNumber) => new() { Id = nhsNumber };

    public PatientPreferences Apply(NationalDataOptOutSet e) => this with
    {
        Id = e.NhsNumber.Value,
        NationalDataOptOut = new NationalDataOptOutChoice(true, e.DecisionId, e.EffectiveAt, e.RecordedAt, e.Channel, e.DecidedBy, e.NoticeVersion),
    };

    public PatientPreferences Apply(NationalDataOptOutWithdrawn e) => this with
    {
        Id = e.NhsNumber.Value,
        NationalDataOptOut = new NationalDataOptOutChoice(false, e.DecisionId, e.EffectiveAt, e.RecordedAt, e.Channel, e.DecidedBy, e.NoticeVersion),
    };

    public PatientPreferences Apply(Type1OptOutRecorded e) => this with
    {
        Id = e.NhsNumber.Value,
        Type1OptOut = new Type1OptOutChoice(true, e.DecisionId, e.PracticeOdsCode, e.Code, e.EffectiveAt, e.RecordedAt, e.DecidedBy),
    };

    public PatientPreferences Apply(Type1OptOutWithdrawn e) => this with
    {
        Id = e.NhsNumber.Value,
        Type1OptOut = new Type1OptOutChoice(false, e.DecisionId, e.PracticeOdsCode, e.Code, e.EffectiveAt, e.RecordedAt, e.DecidedBy),
    };

    public PatientPreferences Apply(ConsentGranted e) => WithConsent(e.NhsNumber.Value,
        new ConsentChoice(e.Purpose, ConsentStatus.Permit, e.Period, e.DecisionId, e.Channel, e.NoticeVersion, e.DecidedBy, e.EffectiveAt, e.RecordedAt));

    public PatientPreferences Apply(ConsentRefused e) => WithConsent(e.NhsNumber.Value,
        new ConsentChoice(e.Purpose, ConsentStatus.Deny, e.Period, e.DecisionId, e.Channel, e.NoticeVersion, e.DecidedBy, e.EffectiveAt, e.RecordedAt));

    public PatientPreferences Apply(ConsentWithdrawn e) => WithConsent(e.NhsNumber.Value,
        new ConsentChoice(e.Purpose, ConsentStatus.Withdrawn, null, e.DecisionId, e.Channel, null, e.DecidedBy, e.EffectiveAt, e.RecordedAt));

    public PatientPreferences Apply(ConsentExpired e) => Consents.TryGetValue(e.Purpose, out var expired)
        ? WithConsent(e.NhsNumber.Value, expired with { Status = ConsentStatus.Expired, DecisionId = e.DecisionId, EffectiveAt = e.EffectiveAt, RecordedAt = e.RecordedAt, DecidedBy = e.DecidedBy })
        : this;

    public PatientPreferences Apply(ProxyAuthorised e) => this with
    {
        Id = e.NhsNumber.Value,
        Proxies = [.. Proxies.Where(p => p.ProxyId != e.ProxyId),
            new ProxyAuthority(e.ProxyId, e.Role, e.EvidenceReference, e.EffectiveAt, e.ValidUntil, null, e.DecisionId, e.RecordedAt)],
    };

    public PatientPreferences Apply(ProxyAuthorityRevoked e) => this with
    {
        Id = e.NhsNumber.Value,
        Proxies = [.. Proxies.Select(p => p.ProxyId == e.ProxyId ? p with { RevokedAt = e.EffectiveAt } : p)],
    };

    public PatientPreferences Apply(NhsNumberSuperseded e) => this with { Id = e.NhsNumber.Value, SupersededBy = e.SupersededBy.Value };

    public PatientPreferences Apply(SupersededRecordMerged e) => PatientMerge.Merge(this with { Id = e.NhsNumber.Value }, e.SupersededChoices);

    /// <summary>The state after newly decided events, for the response to the write that appends them.</summary>
    public PatientPreferences After(IReadOnlyCollection<object> events) =>
        events.Aggregate(this, (state, e) => state.Applying(e)) with { Version = Version + events.Count };

    /// <summary>Applies any patient event; the timeline folds history through this too.</summary>
    public PatientPreferences Applying(object e) => e switch
    {
        NationalDataOptOutSet x => Apply(x),
        NationalDataOptOutWithdrawn x => Apply(x),
        Type1OptOutRecorded x => Apply(x),
        Type1OptOutWithdrawn x => Apply(x),
        ConsentGranted x => Apply(x),
        ConsentRefused x => Apply(x),
        ConsentWithdrawn x => Apply(x),
        ConsentExpired x => Apply(x),
        ProxyAuthorised x => Apply(x),
        ProxyAuthorityRevoked x => Apply(x),
        NhsNumberSuperseded x => Apply(x),
        SupersededRecordMerged x => Apply(x),
        _ => throw new ArgumentException($"PatientPreferences has no Apply for {e.GetType().Name}.", nameof(e)),
    };

    internal PatientPreferences WithConsent(string id, ConsentChoice choice) =>
        WithConsents(id, new Dictionary<string, ConsentChoice>(Consents) { [choice.Purpose] = choice });

    internal PatientPreferences WithConsents(string id, Dictionary<string, ConsentChoice> consents) => this with
    {
        Id = id,
        Consents = consents,
        NextConsentExpiry = consents.Values.Where(c => c.IsStanding && c.Period?.End is not null).Min(c => c.Period!.End),
    };
}
