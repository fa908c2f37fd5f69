namespace OptOut.Contracts.V1;

/// <summary>A person was authorised (<see cref="Authorised"/> true) to act for a patient, or lost that authority.</summary>
/// <param name="Reference">The change's reference ("7KQ4-M2XD"), as the person who made it was given it: the same for every message of one change.</param>
public sealed record ProxyAuthorityChanged(
    string NhsNumber,
    string ProxyId,
    string? Role,
    bool Authorised,
    DateTimeOffset? ValidUntil,
    DateTimeOffset EffectiveAt,
    DateTimeOffset RecordedAt,
    long StreamVersion,
    long Sequence,
    Guid EventId,
    string Reference);
