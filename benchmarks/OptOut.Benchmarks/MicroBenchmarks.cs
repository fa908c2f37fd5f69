using System.Text;
using BenchmarkDotNet.Attributes;
using OptOut.NhsNumbers;
using OptOut.PipelineChecks;

namespace OptOut.Benchmarks;

/// <summary>The index's look-up against a HashSet of the same 3.5 million bases, the obvious alternative.</summary>
[MemoryDiagnoser]
public class IndexLookupBenchmarks
{
    private readonly OptOutIndex _index = new();
    private readonly HashSet<int> _set = [];
    private int[] _queries = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        for (var i = 0; i < 3_500_000; i++)
        {
            var b = random.Next(400_000_000, 500_000_000);
            _index.SetNational(b, true);
            _set.Add(b);
        }

        _queries = Enumerable.Range(0, 1 << 16).Select(_ => random.Next(400_000_000, 500_000_000)).ToArray();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = 1 << 16)]
    public int HashSetOfBases()
    {
        var hits = 0;
        foreach (var q in _queries)
        {
            hits += _set.Contains(q) ? 1 : 0;
        }

        return hits;
    }

    [Benchmark(OperationsPerInvoke = 1 << 16)]
    public int OptOutIndexBitSet()
    {
        var hits = 0;
        foreach (var q in _queries)
        {
            hits += _index.HasNationalOptOut(q) ? 1 : 0;
        }

        return hits;
    }
}

/// <summary>The bulk check's byte-level line reader against parsing each line as a string with the domain type.</summary>
[MemoryDiagnoser]
public class LineParsingBenchmarks
{
    private byte[][] _lines = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        _lines = Enumerable.Range(0, 4096).Select(_ =>
        {
            NhsNumber number;
            while (!NhsNumber.TryFromBase(random.Next(400_000_000, 500_000_000), out number))
            {
            }

            return Encoding.ASCII.GetBytes(number.Value + ",\r");
        }).ToArray();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = 4096)]
    public long DecodeThenNhsNumberTryParse()
    {
        long sum = 0;
        foreach (var line in _lines)
        {
            var text = Encoding.ASCII.GetString(line).TrimEnd('\r', ',');
            sum += NhsNumber.TryParse(text, out var n, out _) ? n.Base : 0;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = 4096)]
    public long NhsNumberLineParse()
    {
        long sum = 0;
        foreach (var line in _lines)
        {
            sum += NhsNumberLine.Parse(line, -1, out var b, out _) == NhsNumberLine.Outcome.Valid ? b : 0;
        }

        return sum;
    }
}
