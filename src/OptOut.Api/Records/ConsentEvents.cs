using OptOut.NhsNumbers;

namespace OptOut.Records;

/// <summary>A period a consent holds for: from <see cref="Start"/> (inclusive) until <see cref="End"/> (exclusive); either may be open.</summary>
public sealed record ConsentPeriod(DateTimeOffset? Start, DateTimeOffset? End)
{
    public bool Covers(DateTimeOffset instant) => (Start is null || Start <= instant) && (End is null || instant < End);
}

/// <summary>The patient (or their proxy) permitted their data to be used for a purpose from the catalogue.</summary>
public sealed record ConsentGranted(
    NhsNumber NhsNumber,
    Guid DecisionId,
    DecisionMaker DecidedBy,
    string Purpose,
    ConsentPeriod? Period,
    Channel Channel,
    string? NoticeVersion,
    DateTimeOffset EffectiveAt,
    DateTimeOffset RecordedAt) : IPatientEvent, IChannelledEvent;

/// <summary>The patient (or their proxy) refused the use of their data for a purpose.</summary>
public sealed record ConsentRefused(
    NhsNumber NhsNumber,
    Guid DecisionId,
    DecisionMaker DecidedBy,
    string Purpose,
    ConsentPeriod? Period,
    Channel Channel,
    string? NoticeVersion,
    DateTimeOffset EffectiveAt,
    DateTimeOffset RecordedAt) : IPatientEvent, IChannelledEvent;

/// <summary>The patient withdrew their earlier permit or refusal: no choice stands for the purpose.</summary>
public sealed record ConsentWithdrawn(
    NhsNumber NhsNumber,
    Guid DecisionId,
    DecisionMaker DecidedBy,
    string Purpose,
    Channel Channel,
    DateTimeOffset EffectiveAt,
    DateTimeOffset RecordedAt) : IPatientEvent, IChannelledEvent;

/// <summary>A consent's period ended. Recorded by OptOut itself so consumers learn of it without polling.</summary>
public sealed record ConsentExpired(
    NhsNumber NhsNumber,
    Guid DecisionId,
    DecisionMaker DecidedBy,
    string Purpose,
    Guid ExpiredDecisionId,
    DateTimeOffset EffectiveAt,
    DateTimeOffset RecordedAt) : IPatientEvent;
