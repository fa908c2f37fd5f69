using OptOut.Records;

namespace OptOut.Patients;

/// <summary>A patient's choices as the API shows them to the patient, their proxies and staff.</summary>
public sealed record PreferencesResponse(
    string NhsNumber,
    long Version,
    IReadOnlyList<string> Supersedes,
    NationalDataOptOutView NationalDataOptOut,
    Type1OptOutView Type1OptOut,
    IReadOnlyList<ConsentView> Consents,
    IReadOnlyList<ProxyView> Proxies)
{
    public static PreferencesResponse From(PatientPreferences p, DateTimeOffset now) => new(
        p.Id,
        p.Version,
        p.Supersedes,
        new NationalDataOptOutView(
            p.NationalDataOptOut.OptedOut, p.NationalDataOptOut.EffectiveAt, p.NationalDataOptOut.RecordedAt,
            p.NationalDataOptOut.Channel, p.NationalDataOptOut.NoticeVersion, DecidedByView.From(p.NationalDataOptOut.DecidedBy)),
        new Type1OptOutView(
            p.Type1OptOut.Dissent, p.Type1OptOut.PracticeOdsCode, p.Type1OptOut.Code, p.Type1OptOut.EffectiveAt, p.Type1OptOut.RecordedAt),
        [.. p.Consents.Values.OrderBy(c => c.Purpose, StringComparer.Ordinal).Select(c => new ConsentView(
            c.Purpose, c.Status.ToString().ToLowerInvariant(), c.IsInForceAt(now), c.Period, c.NoticeVersion, c.Channel,
            DecidedByView.From(c.DecidedBy), c.EffectiveAt, c.RecordedAt))],
        [.. p.Proxies.Select(x => new ProxyView(x.ProxyId, x.Role, x.From, x.ValidUntil, x.RevokedAt, x.IsActiveAt(now)))]);
}

public sealed record NationalDataOptOutView(
    bool OptedOut,
    DateTimeOffset? EffectiveAt,
    DateTimeOffset? RecordedAt,
    Channel? Channel,
    string? NoticeVersion,
    DecidedByView? DecidedBy);

public sealed record Type1OptOutView(bool Dissent, string? PracticeOdsCode, string? Code, DateTimeOffset? EffectiveAt, DateTimeOffset? RecordedAt);

public sealed record ConsentView(
    string Purpose,
    string Status,
    bool InForce,
    ConsentPeriod? Period,
    string? NoticeVersion,
    Channel? Channel,
    DecidedByView? DecidedBy,
    DateTimeOffset EffectiveAt,
    DateTimeOffset RecordedAt);

public sealed record ProxyView(string ProxyId, ProxyRole Role, DateTimeOffset From, DateTimeOffset? ValidUntil, DateTimeOffset? RevokedAt, bool Active);

/// <summary>
/// Who decided, in the one shape every answer uses: the capacity ("patient", "proxy" with the proxy's role and evidence,
/// or "system"), and the person or system that recorded it, with any contact-centre case reference, and how the
/// person deciding was identified.
/// </summary>
public sealed record DecidedByView(
    string Capacity, ProxyRole? ProxyRole, string? EvidenceReference, string RecordedBy, string RecordedByRole, string? CaseReference, string? IdentityCheck)
{
    public static DecidedByView? From(DecisionMaker? by) => by is null ? null :
        new(by.IsProxy ? "proxy" : by.ActorRole == "system" ? "system" : "patient", by.ProxyRole, by.EvidenceReference, by.ActorId, by.ActorRole, by.CaseReference,
            by.IdentityCheck);
}
