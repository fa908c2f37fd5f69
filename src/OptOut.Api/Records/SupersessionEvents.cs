using OptOut.NhsNumbers;

namespace OptOut.Records;

/// <summary>On the old number's stream: the number was replaced when two records for one person were merged.</summary>
public sealed record NhsNumberSuperseded(
    NhsNumber NhsNumber,
    Guid DecisionId,
    DecisionMaker DecidedBy,
    NhsNumber SupersededBy,
    DateTimeOffset EffectiveAt,
    DateTimeOffset RecordedAt) : IPatientEvent;

/// <summary>
/// On the new number's stream: the old record's choices follow the patient. Where both records hold a
/// choice of the same kind, the one recorded later stands.
/// </summary>
public sealed record SupersededRecordMerged(
    NhsNumber NhsNumber,
    Guid DecisionId,
    DecisionMaker DecidedBy,
    NhsNumber Superseded,
    PatientPreferences SupersededChoices,
    DateTimeOffset EffectiveAt,
    DateTimeOffset RecordedAt) : IPatientEvent;
