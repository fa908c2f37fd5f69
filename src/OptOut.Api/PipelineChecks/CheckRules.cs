using Npgsql;
using OptOut.Records;
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
        "explicit consents are not weighed in bulk: a number with an opt-out is removed even if the patient consented (fail closed); ask /v1/decisions for such a patient",
        "invalid NHS numbers are never returned",
    ];
}

/// <summary>Decides a batch of NHS number bases: may each be used?</summary>
public interface ICheckRules
{
    long Sequence { get; }

    /// <summary>
    /// Sets <paramref name="optedOut"/>[i] to whether the number with base <paramref name="bases"/>[i] has an opt-out that
    /// applies (true: it may not be used), for every i.
    /// </summary>
    Task DecideAsync(List<int> bases, bool[] optedOut, CancellationToken ct);
}

/// <summary>Current checks, from the in-memory index.</summary>
public sealed class IndexCheckRules(OptOutIndex index, CheckScope scope) : ICheckRules
{
    public long Sequence { get; } = index.Sequence;

    public Task DecideAsync(List<int> bases, bool[] optedOut, CancellationToken ct)
    {
        index.FindOptOuts(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bases), scope.National, scope.Type1, optedOut);
        return Task.CompletedTask;
    }
}

/// <summary>
/// asOf checks, from the event history: for each number the last opt-out decision recorded by the instant
/// and in force at it. One query per batch, on the (stream, version) index of the events table.
/// </summary>
public sealed class HistoryCheckRules(NpgsqlDataSource database, EventStoreNames names, CheckScope scope, DateTimeOffset asOf, long sequence) : ICheckRules
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
        command.Parameters.AddWithValue("types", new[] { StoredEvents.NationalSet.Name, StoredEvents.NationalWithdrawn.Name, StoredEvents.Type1Recorded.Name, StoredEvents.Type1Withdrawn.Name });
        command.Parameters.AddWithValue("asOf", asOf);
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                var type = reader.GetString(1);
                var effect = StoredEvents.IndexEffectOf(type);
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
    }
}
