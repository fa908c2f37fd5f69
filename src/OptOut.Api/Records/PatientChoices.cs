
namespace OptOut.Records;

/// <summary>The national data opt-out as it stands, with the decision it rests on (none when never chosen).</summary>
public sealed record NationalDataOptOutChoice(
    bool OptedOut,
    Guid? DecisionId,
    DateTimeOffset? EffectiveAt,
    DateTimeOffset? RecordedAt,
    Channel? Channel,
    DecisionMaker? DecidedBy,
    string? NoticeVersion)
{
    public static readonly NationalDataOptOutChoice None = new(false, null, null, null, null, null, null);
}

/// <summary>The GP Type 1 opt-out as it stands, with the practice and code that recorded it.</summary>
public sealed record Type1OptOutChoice(
    bool Dissent,
    Guid? DecisionId,
    string? PracticeOdsCode,
    string? Code,
    DateTimeOffset? EffectiveAt,
    DateTimeOffset? RecordedAt,
    DecisionMaker? DecidedBy)
{
    public static readonly Type1OptOutChoice None = new(false, null, null, null, null, null, null);
}

public enum ConsentStatus
{
    Permit,
    Deny,
    Withdrawn,
    Expired,
}

/// <summary>The latest decision for one purpose.</summary>
public sealed record ConsentChoice(
    string Purpose,
    ConsentStatus Status,
    ConsentPeriod? Period,
    Guid DecisionId,
    Channel? Channel,
    string? NoticeVersion,
    DecisionMaker DecidedBy,
    DateTimeOffset EffectiveAt,
    DateTimeOffset RecordedAt)
{
    /// <summary>A permit or refusal that has been neither withdrawn nor expired.</summary>
    public bool IsStanding => Status is ConsentStatus.Permit or ConsentStatus.Deny;

    /// <summary>Standing, and its period covers the instant.</summary>
    public bool IsInForceAt(DateTimeOffset instant) => IsStanding && (Period?.Covers(instant) ?? true);
}

/// <summary>A person's authority to act for the patient, from the evidence staff checked.</summary>
public sealed record ProxyAuthority(
    string ProxyId,
    ProxyRole Role,
    string EvidenceReference,
    DateTimeOffset From,
    DateTimeOffset? ValidUntil,
    DateTimeOffset? RevokedAt,
    Guid DecisionId,
    DateTimeOffset RecordedAt)
{
    public bool IsActiveAt(DateTimeOffset instant) =>
        From <= instant && (ValidUntil is null || instant < ValidUntil) && (RevokedAt is null || instant < RevokedAt);
}
