namespace OptOut.Contracts.V1;

/// <summary>
/// A GP practice recorded (<see cref="Dissent"/> true) or withdrew a patient's Type 1 opt-out. Identifiable
/// GP data must not leave the practice for purposes beyond the patient's care while dissent stands.
/// At least once: drop duplicates by message id, which is <see cref="EventId"/>.
/// </summary>
/// <param name="Reference">The change's reference ("7KQ4-M2XD"), as the person who made it was given it: the same for every message of one change.</param>
public sealed record Type1OptOutChanged(
    string NhsNumber,
    bool Dissent,
    string PracticeOdsCode,
    string Code,
    DateTimeOffset EffectiveAt,
    DateTimeOffset RecordedAt,
    long StreamVersion,
    long Sequence,
    Guid EventId,
    string Reference);
