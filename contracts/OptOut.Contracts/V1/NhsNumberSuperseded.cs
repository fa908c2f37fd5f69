namespace OptOut.Contracts.V1;

/// <summary>
/// Two records for one person were merged: <see cref="SupersededNhsNumber"/> now answers as <see cref="NhsNumber"/>,
/// and its choices follow the patient. Re-read or re-key any cached status held under either number.
/// </summary>
/// <param name="Reference">The change's reference ("7KQ4-M2XD"), as the person who made it was given it: the same for every message of one change.</param>
public sealed record NhsNumberSuperseded(
    string SupersededNhsNumber,
    string NhsNumber,
    DateTimeOffset EffectiveAt,
    DateTimeOffset RecordedAt,
    long Sequence,
    Guid EventId,
    string Reference);
