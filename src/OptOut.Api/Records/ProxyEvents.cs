using OptOut.NhsNumbers;

namespace OptOut.Records;

/// <summary>
/// Staff checked the evidence and authorised a person to act for the patient in a proxy role until
/// <see cref="ValidUntil"/> (for a GUARDIAN, at the latest the child's 13th birthday).
/// </summary>
public sealed record ProxyAuthorised(
    NhsNumber NhsNumber,
    Guid DecisionId,
    DecisionMaker DecidedBy,
    string ProxyId,
    ProxyRole Role,
    string EvidenceReference,
    DateTimeOffset? ValidUntil,
    DateTimeOffset EffectiveAt,
    DateTimeOffset RecordedAt) : IPatientEvent;

/// <summary>The proxy may no longer act for the patient.</summary>
public sealed record ProxyAuthorityRevoked(
    NhsNumber NhsNumber,
    Guid DecisionId,
    DecisionMaker DecidedBy,
    string ProxyId,
    string? Reason,
    DateTimeOffset EffectiveAt,
    DateTimeOffset RecordedAt) : IPatientEvent;
