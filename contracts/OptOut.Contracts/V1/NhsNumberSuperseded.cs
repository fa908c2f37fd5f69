namespace OptOut.Contracts.V1;

/// <summary>
/// Two records for one person were merged: <see cref="SupersededNhsNumber"/> now answers as <see cref="NhsNumber"/>,
/// and its choices follow the patient. Re-read or re-key any cached status held under either number.
/// </summary>
public sealed record NhsNumberSuperseded(
    string SupersededNhsNumber,
    string NhsNumber,
    DateTimeOffset EffectiveAt,
    DateTimeOffset RecordedAt,
    long Sequence,
    Guid EventId);
