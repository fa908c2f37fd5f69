using Marten;
using OptOut.NhsNumbers;
using OptOut.Patients;
using OptOut.Records;

namespace OptOut.UseDecisions;

/// <summary>
/// One record weighed against a question: the record that stands for the number now (a superseded one answers as its
/// replacement), its history as OptOut knew it at <c>knownAt</c>, and the rules over the choices in force at
/// <c>inForceAt</c>. The single decision answers from here, and a bulk check weighs here each record it meets that
/// may hold a refusal of consent, so the two cannot disagree about one.
/// </summary>
public static class RecordDecision
{
    public static async Task<(PatientTimeline Timeline, IReadOnlyList<RuleOutcome> Outcomes)> WeighAsync(
        IQuerySession session, NhsNumber patient, DecisionQuestion question, DateTimeOffset knownAt, DateTimeOffset inForceAt, CancellationToken ct)
    {
        var record = await session.LoadCurrentAsync(patient, ct);
        var timeline = await PatientTimeline.LoadAsync(session, record, ct);
        return (timeline, DecisionRules.Weigh(timeline.StateAt(knownAt, inForceAt), question, inForceAt));
    }

    /// <summary>
    /// Whether a bulk check leaves the record out: a refusal of consent that stands, or an opt-out that applies, even one
    /// an explicit consent overrides (bulk checks do not weigh consents to use: they fail closed).
    /// </summary>
    public static bool RemovedInBulk(IReadOnlyList<RuleOutcome> outcomes) =>
        outcomes.Any(o => o is { Rule: DecisionRules.ConsentRefused, Outcome: "deny" }
                          || o is { Rule: DecisionRules.NationalDataOptOut or DecisionRules.Type1OptOut, Outcome: "deny" or "overridden" });
}
