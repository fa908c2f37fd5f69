using OptOut.NhsNumbers;

namespace OptOut.Records;

/// <summary>
/// A GP practice recorded the patient's dissent from identifiable GP data leaving the practice for
/// purposes other than their own care (Type 1 opt-out), with the clinical code it used.
/// </summary>
public sealed record Type1OptOutRecorded(
    NhsNumber NhsNumber,
    Guid DecisionId,
    DecisionMaker DecidedBy,
    string PracticeOdsCode,
    string Code,
    DateTimeOffset EffectiveAt,
    DateTimeOffset RecordedAt) : IPatientEvent;

/// <summary>A GP practice recorded that the patient withdrew their Type 1 dissent, with the withdrawal code.</summary>
public sealed record Type1OptOutWithdrawn(
    NhsNumber NhsNumber,
    Guid DecisionId,
    DecisionMaker DecidedBy,
    string PracticeOdsCode,
    string Code,
    DateTimeOffset EffectiveAt,
    DateTimeOffset RecordedAt) : IPatientEvent;
