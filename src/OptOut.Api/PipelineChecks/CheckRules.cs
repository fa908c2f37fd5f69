using Marten;
using Npgsql;
using OptOut.Records;
using OptOut.Patients;
using OptOut.NhsNumbers;
using OptOut.EventStore;
using OptOut.Indexing;

namespace OptOut.PipelineChecks;

/// <summary>Which opt-outs a bulk check applies: decided by <see cref="DecisionRules"/>, the same rules as single decisions.</summary>
public sealed record CheckScope(bool National, bool Type1)
{
    public static CheckScope For(DecisionQuestion question) =>
        new(DecisionRules.NationalOptOutApplies(question), DecisionRules.Type1OptOutApplies(question));

    public List<string> Describe() =>
    [
        National ? "national-data-opt-out: numbers with a national data opt-out are removed" : "national-data-opt-out: does not apply to this purpose or legal basis",
        Type1 ? "type-1-opt-out: numbers with a GP Type 1 opt-out are removed" : "type-1-opt-out: does not apply to this data source, purpose or legal basis",
        "consent-refused: numbers whose patient refused consent for this purpose are removed, weighed as /v1/decisions weighs them",
        "explicit consents are not weighed in bulk: a number with an opt-out is removed even if the patient consented (fail closed); ask /v1/decisions for such a patient",
        "invalid NHS numbers are never returned",
    ];
}

/// <summary>Decides a batch of NHS number bases: may each be used?</summary>
public interface ICheckRules
{
    long Sequence { get; }

    /// <summary>
    /// Sets <paramref name="optedOut"/>[i] to whether the number with base <paramref name="bases"/>[i] may not be used: an
    /// opt-out that applies, or the patient's refusal of consent for the purpose, for every i.
    /// </summary>
    Task DecideAsync(List<int> bases, bool[] optedOut, CancellationToken ct);
}

/// <summary>Current checks, from the in-memory index; the records it says may hold a refusal are weighed one by one.</summary>
public sealed class IndexCheckRules(OptOutIndex index, CheckScope scope, RecordByRecord exact, TimeProvider clock) : ICheckRules
{
    public long Sequence { get; } = index.Sequence;

    public Task DecideAsync(List<int> bases, bool[] optedOut, CancellationToken ct)
    {
        index.FindOptOuts(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bases), scope.National, scope.Type1, optedOut);
        if (index.ConsentRefusers == 0)
        {
            return Task.CompletedTask;
        }

        var candidates = Enumerable.Range(0, bases.Count).Where(i => !optedOut[i] && index.MayRefuseConsent(bases[i])).ToList();
        return exact.WeighAsync(bases, optedOut, candidates, clock.GetUtcNow(), ct);
    }
}

/// <summary>
/// The few records a bulk check cannot answer from its one pass (one that may hold a refusal of consent; in an asOf
/// check, a number since merged into another record), each weighed with the single decision's rules
/// (<see cref="RecordDecision"/>): a patient who refused research is left out of a research extract, as /v1/decisions
/// denies it. Each is read from the event store.
/// </summary>
public sealed class RecordByRecord(IDocumentStore store, OptOutIndex index, DecisionQuestion question)
{
    /// <summary>Whether the number has been merged into another record, which now stands for it.</summary>
    public bool Merged(int nhsBase) => index.CurrentBase(nhsBase) != nhsBase;

    /// <summary>Sets <paramref name="optedOut"/>[i] for each of <paramref name="candidates"/> from the rules at <paramref name="at"/>.</summary>
    public async Task WeighAsync(List<int> bases, bool[] optedOut, IReadOnlyCollection<int> candidates, DateTimeOffset at, CancellationToken ct)
    {
        if (candidates.Count == 0)
        {
            return;
        }

        // Each number as the record that stands for it now, which holds the history of every number merged into it.
        var current = new Dictionary<int, string>();
        foreach (var i in candidates)
        {
            if (NhsNumber.TryFromBase(index.CurrentBase(bases[i]), out var standing))
            {
                current[i] = standing.Value;
            }
        }

        await using var session = store.QuerySession();
        var outcomes = await RecordDecision.WeighManyAsync(session, [.. current.Values], question, at, at, ct);
        foreach (var (i, id) in current)
        {
            optedOut[i] = RecordDecision.RemovedInBulk(outcomes[id]);
        }
    }
}

/// <summary>
/// asOf checks, from the event history: for each number the last opt-out decision recorded by the instant
/// and in force at it. One query per batch, on the (stream, version) index of the events table. A number that may hold
/// a refusal then, or that has since been merged into another record (whose history is its own and that record's), is
/// weighed record by record.
/// </summary>
public sealed class HistoryCheckRules(NpgsqlDataSource database, EventStoreNames names, CheckScope scope, RecordByRecord exact, DateTimeOffset asOf, long sequence) : ICheckRules
{
    public long Sequence { get; } = sequence;

    public async Task DecideAsync(List<int> bases, bool[] optedOut, CancellationToken ct)
    {
        var ids = bases.Select(b => NhsNumber.TryFromBase(b, out var n) ? n.Value : "").ToArray();
        var latest = new Dictionary<(string Stream, bool Type1), (DateTimeOffset Effective, long Sequence, bool OptedOut)>();
        await using var command = database.CreateCommand(
            $"select stream_id, type, (data->>'effectiveAt')::timestamptz, seq_id from {names.Events} " +
            "where stream_id = any(@ids) and type = any(@types) and (data->>'recordedAt')::timestamptz <= @asOf and (data->>'effectiveAt')::timestamptz <= @asOf");
        command.Parameters.AddWithValue("ids", ids);
        command.Parameters.AddWithValue("types", new[] { StoredEvents.NationalSet.Name, StoredEvents.NationalWithdrawn.Name, StoredEvents.Type1Recorded.Name, StoredEvents.Type1Withdrawn.Name, StoredEvents.ConsentRefusal.Name });
        var refused = new HashSet<string>(StringComparer.Ordinal);
        command.Parameters.AddWithValue("asOf", asOf);
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var type = reader.GetString(1);
                var effect = StoredEvents.IndexEffectOf(type);
                if (effect == IndexEffect.RefusesConsent)
                {
                    refused.Add(reader.GetString(0));
                    continue;
                }

                var key = (reader.GetString(0), effect is IndexEffect.SetsType1OptOut or IndexEffect.WithdrawsType1OptOut);
                var candidate = (reader.GetFieldValue<DateTimeOffset>(2), reader.GetInt64(3), effect is IndexEffect.SetsNationalOptOut or IndexEffect.SetsType1OptOut);
                if (!latest.TryGetValue(key, out var held) || (candidate.Item1, candidate.Item2).CompareTo((held.Effective, held.Sequence)) > 0)
                {
                    latest[key] = candidate;
                }
            }
        }

        for (var i = 0; i < ids.Length; i++)
        {
            var national = latest.TryGetValue((ids[i], false), out var n) && n.OptedOut;
            var type1 = latest.TryGetValue((ids[i], true), out var t) && t.OptedOut;
            optedOut[i] = (scope.National && national) || (scope.Type1 && type1);
        }

        await exact.WeighAsync(bases, optedOut, [.. Enumerable.Range(0, ids.Length).Where(i => refused.Contains(ids[i]) || exact.Merged(bases[i]))], asOf, ct);
    }
}
