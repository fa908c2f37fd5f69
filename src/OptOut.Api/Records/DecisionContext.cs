using OptOut.NhsNumbers;

namespace OptOut.Records;

/// <summary>
/// The parts of every command that the HTTP layer settles before a decider runs: whose record, who
/// decides, the new decision's id, when it takes effect and the time now. Carrying them keeps deciders pure.
/// </summary>
public sealed record DecisionContext(
    NhsNumber NhsNumber,
    DecisionMaker DecidedBy,
    Guid DecisionId,
    DateTimeOffset EffectiveAt,
    DateTimeOffset Now)
{
    /// <summary>The context of a new decision on <paramref name="record"/>: a fresh, time-ordered decision id.</summary>
    public static DecisionContext For(PatientPreferences record, DecisionMaker by, DateTimeOffset? effectiveAt, DateTimeOffset now) =>
        new(NhsNumber.Parse(record.Id), by, Guid.CreateVersion7(now), effectiveAt ?? now, now);
}
