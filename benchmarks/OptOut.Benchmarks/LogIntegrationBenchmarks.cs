using BenchmarkDotNet.Attributes;
using OptOut.Audit;
using OptOut.Audit.Transparency;
using OptOut.Contracts.Audit;

namespace OptOut.Benchmarks;

/// <summary>
/// The sequencer's work per entry on one core, without the database: check the entry (its number, its link, its hash
/// recomputed from its content) and add it to the tree's right edge, against the baseline of only recomputing its hash
/// (what any verifier of the chain does). Entries are shaped like a pipeline's look-up.
/// </summary>
[MemoryDiagnoser]
public class LogIntegrationBenchmarks
{
    private const int Entries = 10_000;
    private const int Patients = 1_000_000;
    private AuditEntry[] _entries = [];
    private PatientMapTree _map = PatientMapTree.InMemory();
    private MapNode? _mapRoot;

    [GlobalSetup]
    public void Setup()
    {
        var previous = AuditChain.Genesis;
        var at = new DateTimeOffset(2026, 12, 6, 5, 0, 0, TimeSpan.Zero);
        _entries = new AuditEntry[Entries];
        for (var i = 0; i < Entries; i++)
        {
            var entry = new AuditEntry(i + 1, at.AddTicks(i * 10), "access", "GET /v1/opt-outs/{nhsNumber}", "extract-nhs-research-42", "pipeline",
                (9_000_000_000L + i).ToString(System.Globalization.CultureInfo.InvariantCulture), "research", 200, $"0HN{i:D8}:00000001",
                "{\"answer\":\"not-opted-out\"}", previous, "");
            entry = entry with { Hash = entry.ComputeHash() };
            _entries[i] = entry;
            previous = entry.Hash;
        }

        // The map as it stands after a million patients have each been named once; each run merges the batch into it.
        _mapRoot = _map.Merge(null, Enumerable.Range(0, Patients).Select(i =>
            new MapLeaf(PatientMap.Key((8_000_000_000L + i).ToString(System.Globalization.CultureInfo.InvariantCulture)), 1, PatientMap.EmptyHead)));
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Entries)]
    public int RecomputeHashOnly()
    {
        var matched = 0;
        foreach (var e in _entries)
        {
            matched += e.ComputeHash() == e.Hash ? 1 : 0;
        }

        return matched;
    }

    [Benchmark(OperationsPerInvoke = Entries)]
    public byte[] CheckAndIntegrate()
    {
        var frontier = new LogFrontier();
        var previous = AuditChain.Genesis;
        var stored = 0;
        foreach (var e in _entries)
        {
            if (AuditVerifier.Check(e, frontier.Size + 1, previous) is not null)
            {
                throw new InvalidOperationException("entry does not check");
            }

            frontier.Append(LogTree.LeafOf(e.Hash), (level, _, _) => stored += level % LogTree.Stride == 0 ? 1 : 0);
            previous = e.Hash;
        }

        return frontier.Root();
    }

    /// <summary>As the sequencer does per batch: check and integrate, then merge the batch's patients into a map of a million.</summary>
    [Benchmark(OperationsPerInvoke = Entries)]
    public byte[] CheckIntegrateAndMap()
    {
        var root = CheckAndIntegrate();
        var grown = _map.Grow(_mapRoot, _entries.Select(e => (e.NhsNumber!, e.Sequence - 1, LogTree.LeafOf(e.Hash))));
        return [.. root, .. grown!.Hash];
    }
}
