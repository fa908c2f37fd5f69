using OptOut.Decisions;
using OptOut.NationalDataOptOut;

namespace OptOut.Patients;

/// <summary>
/// A patient's current choices: the write model the deciders read, and the inline snapshot that
/// preference reads load. One event stream per patient, keyed by the ten-digit NHS number.
/// </summary>
public sealed record PatientPreferences
{
    public string Id { get; init; } = "";

    /// <summary>The stream version: how many decisions the patient has made.</summary>
    public long Version { get; init; }

    public NationalDataOptOutChoice NationalDataOptOut { get; init; } = NationalDataOptOutChoice.NotOptedOut;

    public static PatientPreferences Empty(string nhsNumber) => new() { Id = nhsNumber };

    /// <summary>The state after newly decided events, for the response to the write that appends them.</summary>
    public PatientPreferences After(IReadOnlyCollection<object> events) =>
        events.Aggregate(this, (state, e) => e switch
        {
            NationalDataOptOutSet set => state.Apply(set),
            NationalDataOptOutWithdrawn withdrawn => state.Apply(withdrawn),
            _ => throw new ArgumentException($"PatientPreferences has no Apply for {e.GetType().Name}.", nameof(events)),
        }) with { Version = Version + events.Count };

    public PatientPreferences Apply(NationalDataOptOutSet e) => this with
    {
        Id = e.NhsNumber.Value,
        NationalDataOptOut = new NationalDataOptOutChoice(true, e.EffectiveAt, e.RecordedAt, e.Channel, e.DecidedBy, e.NoticeVersion),
    };

    public PatientPreferences Apply(NationalDataOptOutWithdrawn e) => this with
    {
        Id = e.NhsNumber.Value,
        NationalDataOptOut = new NationalDataOptOutChoice(false, e.EffectiveAt, e.RecordedAt, e.Channel, e.DecidedBy, e.NoticeVersion),
    };
}

/// <summary>The national data opt-out as it stands, with the decision it rests on (none when never chosen).</summary>
public sealed record NationalDataOptOutChoice(
    bool OptedOut,
    DateTimeOffset? EffectiveAt,
    DateTimeOffset? RecordedAt,
    Channel? Channel,
    DecisionMaker? DecidedBy,
    string? NoticeVersion)
{
    public static readonly NationalDataOptOutChoice NotOptedOut = new(false, null, null, null, null, null);
}
