using Marten;
using OptOut.NhsNumbers;
using OptOut.Records;

namespace OptOut.Patients;

/// <summary>
/// Records weighed against a question: the record that stands for each number now (a superseded one answers as its
/// replacement), its history as OptOut knew it at <c>knownAt</c>, and the rules over the choices in force at
/// <c>inForceAt</c>. The single decision answers from here, and a bulk check weighs here each record it meets that
/// may hold a refusal of consent, so the two cannot disagree about one.
/// </summary>
public static class RecordDecision
{
    public static async Task<(PatientTimeline Timeline, IReadOnlyList<RuleOutcome> Outcomes)> WeighAsync(
        IQuerySession session, NhsNumber patient, DecisionQuestion question, DateTimeOffset knownAt, DateTimeOffset inForceAt, CancellationToken ct)
    {
        var timeline = await PatientTimeline.LoadAsync(session, await session.LoadCurrentAsync(patient, ct), ct);
        return (timeline, Weigh(timeline, question, knownAt, inForceAt));
    }

    /// <summary>
    /// <see cref="WeighAsync"/> for many records at once, in two queries rather than two a record: a bulk check may meet
    /// thousands. <paramref name="current"/> are the numbers that stand now (the caller has followed supersession).
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, IReadOnlyList<RuleOutcome>>> WeighManyAsync(
        IQuerySession session, IReadOnlyCollection<string> current, DecisionQuestion question, DateTimeOffset knownAt, DateTimeOffset inForceAt, CancellationToken ct)
    {
        var records = (await session.LoadManyAsync<PatientPreferences>(ct, current.Distinct(StringComparer.Ordinal))).ToDictionary(r => r.Id, StringComparer.Ordinal);
        var streams = records.Values.SelectMany(r => r.Supersedes.Prepend(r.Id)).Distinct(StringComparer.Ordinal).ToArray();
        var events = streams.Length == 0 ? [] : await session.Events.QueryAllRawEvents()
            .Where(e => e.StreamKey!.IsOneOf(streams))
            .OrderBy(e => e.Sequence)
            .ToListAsync(ct);
        var byStream = events.ToLookup(e => e.StreamKey!, StringComparer.Ordinal);
        return current.Distinct(StringComparer.Ordinal).ToDictionary(
            id => id,
            id => Weigh(PatientTimeline.Of(id, records.TryGetValue(id, out var r) ? r.Supersedes.Prepend(id).SelectMany(s => byStream[s]) : []), question, knownAt, inForceAt),
            StringComparer.Ordinal);
    }

    /// <summary>
    /// Whether a bulk check leaves the record out: a refusal of consent that stands, or an opt-out that applies, even one
    /// an explicit consent overrides (bulk checks do not weigh consents to use: they fail closed).
    /// </summary>
    public static bool RemovedInBulk(IReadOnlyList<RuleOutcome> outcomes) =>
        outcomes.Any(o => o is { Rule: DecisionRules.ConsentRefused, Outcome: "deny" }
                          || o is { Rule: DecisionRules.NationalDataOptOut or DecisionRules.Type1OptOut, Outcome: "deny" or "overridden" });

    private static IReadOnlyList<RuleOutcome> Weigh(PatientTimeline timeline, DecisionQuestion question, DateTimeOffset knownAt, DateTimeOffset inForceAt) =>
        DecisionRules.Weigh(timeline.StateAt(knownAt, inForceAt), question, inForceAt);
}
