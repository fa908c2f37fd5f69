namespace OptOut.Contracts.V1;

/// <summary>A person was authorised (<see cref="Authorised"/> true) to act for a patient, or lost that authority.</summary>
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
    Guid EventId);
