using Npgsql;
using OptOut.EventStore;
using OptOut.Indexing;
using OptOut.Records;

namespace OptOut.Audit;

/// <summary>What the decisions say the opt-out index must hold, gathered record by record in number order.</summary>
public sealed class IndexExpectation
{
    internal List<int> National { get; } = [];

    internal List<int> Type1 { get; } = [];

    internal List<int> Refusing { get; } = [];

    internal Dictionary<int, int> Supersessions { get; } = [];

    internal void Add(int nhsBase, PatientPreferences state)
    {
        // The index keeps each record's own bits, a merged-away one's too; look-ups follow the supersession to the survivor.
        if (state.NationalDataOptOut.OptedOut)
        {
            National.Add(nhsBase);
        }

        if (state.Type1OptOut.Dissent)
        {
            Type1.Add(nhsBase);
        }

        if (state.Consents.Values.Any(c => c.Status == ConsentStatus.Deny))
        {
            Refusing.Add(nhsBase);
        }

        if (state.SupersededBy is { } by && NhsNumbers.NhsNumber.TryParse(by, out var survivor, out _))
        {
            Supersessions[nhsBase] = survivor.Base;
        }
    }
}

/// <summary>
/// The re-verification's check of this instance's opt-out index, which answers every look-up and bulk check, against
/// the records folded from their events (<see cref="RecordStates"/>). The index is built from a checkpoint a superuser
/// can rewrite, and it moves on while the check runs, so a record it holds otherwise is a break only when the record
/// has not changed since the snapshot the folds were read in: the index had every event that record had.
/// </summary>
public sealed class IndexAgreement(OptOutIndex index, NpgsqlDataSource database, EventStoreNames names)
{
    /// <summary>How long the check waits for the index to reach the snapshot's events before it leaves the index unchecked.</summary>
    private static readonly TimeSpan CatchUp = TimeSpan.FromSeconds(5);

    // Disagreements looked at again; a store under tampering shows its first break from these.
    private const int MostCandidates = 1_000;

    public AuditMismatch? FirstBreak { get; private set; }

    /// <summary>The sequence at which the index was compared, or null when it was not ready in time.</summary>
    public long? CheckedAt { get; private set; }

    public async Task CheckAsync(
        NpgsqlConnection connection, NpgsqlTransaction snapshot, IndexExpectation expected, Func<long, long?> entryNaming, long head, CancellationToken ct)
    {
        await using (var last = new NpgsqlCommand($"select coalesce(max(seq_id), 0) from {names.Events}", connection, snapshot))
        {
            var reached = (long)(await last.ExecuteScalarAsync(ct))!;
            if (!index.IsReady || !await index.WaitForAsync(reached, CatchUp, ct))
            {
                return;
            }
        }

        CheckedAt = index.Sequence;
        var candidates = new Dictionary<int, string>();
        Differ(expected.National, index.National.Bases(), "the national data opt-out", candidates);
        Differ(expected.Type1, index.Type1.Bases(), "the Type 1 opt-out", candidates);
        // The index may mark a record that no longer refuses (a false "may" costs one exact look); never the reverse.
        Differ(expected.Refusing, index.Refusing, "a refusal of consent", candidates, extrasAllowed: true);
        var held = index.Supersessions;
        foreach (var nhsBase in expected.Supersessions.Keys.Union(held.Keys).Where(b => expected.Supersessions.GetValueOrDefault(b) != held.GetValueOrDefault(b)))
        {
            candidates.TryAdd(nhsBase, "which number a merged one answers as");
        }

        if (candidates.Count == 0)
        {
            return;
        }

        // Bases are nine digits; the record's stream is the ten-digit number.
        var streams = candidates.Keys.Take(MostCandidates)
            .Select(b => NhsNumbers.NhsNumber.TryFromBase(b, out var n) ? (Base: b, Id: n.Value) : (Base: b, Id: ""))
            .Where(c => c.Id.Length > 0).ToArray();
        var then = await VersionsAsync(connection, snapshot, streams.Select(s => s.Id).ToArray(), ct);
        await using var now = await database.OpenConnectionAsync(ct);
        var current = await VersionsAsync(now, null, streams.Select(s => s.Id).ToArray(), ct);
        foreach (var (nhsBase, id) in streams.OrderBy(s => s.Base))
        {
            var (version, sequence) = then.GetValueOrDefault(id);
            if (current.GetValueOrDefault(id).Version == version)
            {
                var entry = sequence > 0 ? entryNaming(sequence) : null;
                FirstBreak = new AuditMismatch(entry ?? head,
                    $"this instance's opt-out index holds {candidates[nhsBase]} for a record otherwise than its decisions say, so look-ups and bulk checks answer wrongly: its checkpoint or memory was altered outside OptOut" +
                    (entry is null ? " (no entry names a decision of the record)" : ""));
                return;
            }
        }
    }

    /// <summary>Adds to <paramref name="candidates"/> each base in one ascending list and not the other.</summary>
    private static void Differ(List<int> expected, IEnumerable<int> held, string what, Dictionary<int, string> candidates, bool extrasAllowed = false)
    {
        var i = 0;
        foreach (var nhsBase in held)
        {
            for (; i < expected.Count && expected[i] < nhsBase; i++)
            {
                candidates.TryAdd(expected[i], what);
            }

            if (i < expected.Count && expected[i] == nhsBase)
            {
                i++;
            }
            else if (!extrasAllowed)
            {
                candidates.TryAdd(nhsBase, what);
            }
        }

        for (; i < expected.Count; i++)
        {
            candidates.TryAdd(expected[i], what);
        }
    }

    /// <summary>Each record's version and its latest event's sequence, in the snapshot given or as committed now.</summary>
    private async Task<Dictionary<string, (long Version, long Sequence)>> VersionsAsync(NpgsqlConnection connection, NpgsqlTransaction? snapshot, string[] ids, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"select stream_id, max(version), max(seq_id) from {names.Events} where stream_id = any(@ids) group by stream_id", connection, snapshot);
        command.Parameters.AddWithValue("ids", ids);
        var versions = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            versions[reader.GetString(0)] = (reader.GetInt64(1), reader.GetInt64(2));
        }

        return versions;
    }
}
