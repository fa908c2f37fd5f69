using OptOut.Decisions;

namespace OptOut.Patients;

/// <summary>A patient's choices as the API shows them to the patient, their proxies and staff.</summary>
public sealed record PreferencesResponse(string NhsNumber, long Version, NationalDataOptOutView NationalDataOptOut)
{
    public static PreferencesResponse From(PatientPreferences p) => new(
        p.Id,
        p.Version,
        new NationalDataOptOutView(
            p.NationalDataOptOut.OptedOut,
            p.NationalDataOptOut.EffectiveAt,
            p.NationalDataOptOut.RecordedAt,
            p.NationalDataOptOut.Channel,
            p.NationalDataOptOut.NoticeVersion,
            p.NationalDataOptOut.DecidedBy is { } by ? DecidedByView.From(by) : null));
}

public sealed record NationalDataOptOutView(
    bool OptedOut,
    DateTimeOffset? EffectiveAt,
    DateTimeOffset? RecordedAt,
    Channel? Channel,
    string? NoticeVersion,
    DecidedByView? DecidedBy);

/// <summary>Who decided: "patient" or "proxy" (with the proxy's role), and the staff or system that recorded it.</summary>
public sealed record DecidedByView(string Capacity, ProxyRole? ProxyRole, string RecordedBy, string RecordedByRole)
{
    public static DecidedByView From(DecisionMaker by) =>
        new(by.IsProxy ? "proxy" : "patient", by.ProxyRole, by.ActorId, by.ActorRole);
}
