namespace OptOut.Contracts.V1;

/// <summary>
/// A patient's decision for one purpose changed. <see cref="Status"/> is permit, deny, withdrawn, or
/// expired (published by OptOut when a consent's period ends: no cache needs to time out).
/// At least once: drop duplicates by message id, which is <see cref="EventId"/>.
/// </summary>
/// <param name="Reference">The change's reference ("7KQ4-M2XD"), as the person who made it was given it: the same for every message of one change.</param>
public sealed record ConsentChanged(
    string NhsNumber,
    string Purpose,
    string Status,
    DateTimeOffset? PeriodStart,
    DateTimeOffset? PeriodEnd,
    string? NoticeVersion,
    bool ByProxy,
    DateTimeOffset EffectiveAt,
    DateTimeOffset RecordedAt,
    long StreamVersion,
    long Sequence,
    Guid EventId,
    string Reference);
