using OptOut.NhsNumbers;

namespace OptOut.Records;

/// <summary>The patient's confidential information may no longer be used for research and planning.</summary>
public sealed record NationalDataOptOutSet(
    NhsNumber NhsNumber,
    Guid DecisionId,
    DecisionMaker DecidedBy,
    Channel Channel,
    string? NoticeVersion,
    DateTimeOffset EffectiveAt,
    DateTimeOffset RecordedAt) : IPatientEvent, IChannelledEvent;

/// <summary>The patient's earlier national data opt-out no longer applies.</summary>
public sealed record NationalDataOptOutWithdrawn(
    NhsNumber NhsNumber,
    Guid DecisionId,
    DecisionMaker DecidedBy,
    Channel Channel,
    string? NoticeVersion,
    DateTimeOffset EffectiveAt,
    DateTimeOffset RecordedAt) : IPatientEvent, IChannelledEvent;
