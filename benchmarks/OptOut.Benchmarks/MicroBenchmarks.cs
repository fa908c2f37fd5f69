using System.Text;
using BenchmarkDotNet.Attributes;
using OptOut.Http;
using OptOut.Indexing;
using OptOut.NhsNumbers;

namespace OptOut.Benchmarks;

/// <summary>
/// The index's look-up against a HashSet of the same 3.5 million bases, the obvious alternative, with the opt-outs spread
/// over a tenth of the number space (a 12 MB bitset, mostly in cache) or over the English ranges (about 40 MB, as in the
/// system benchmark, where every look-up misses the cache).
/// </summary>
[MemoryDiagnoser]
public class IndexLookupBenchmarks
{
    [Params(100_000_000, 350_000_000)]
    public int Spread { get; set; }

    private readonly OptOutIndex _index = new();
    private readonly HashSet<int> _set = [];
    private int[] _queries = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        for (var i = 0; i < 3_500_000; i++)
        {
            var b = random.Next(400_000_000, 400_000_000 + Spread);
            _index.SetNational(b, true);
            _set.Add(b);
        }

        _queries = Enumerable.Range(0, 1 << 16).Select(_ => random.Next(400_000_000, 400_000_000 + Spread)).ToArray();
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

    /// <summary>The bulk check's look-up: the same queries as a batch, with the words for later ones prefetched.</summary>
    [Benchmark(OperationsPerInvoke = 1 << 16)]
    public int OptOutIndexFindOptOuts()
    {
        _index.FindOptOuts(_queries, national: true, type1: false, _found);
        var hits = 0;
        foreach (var found in _found)
        {
            hits += found ? 1 : 0;
        }

        return hits;
    }

    private readonly bool[] _found = new bool[1 << 16];
}

/// <summary>A run of plain lines ("dddddddddd\n") parsed line by line with the scalar codec, against the vectorised run.</summary>
public class DigitLineBenchmarks
{
    private const int Lines = 4096;
    private readonly int[] _bases = new int[Lines];
    private byte[] _run = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(3);
        var text = new StringBuilder();
        while (text.Length < Lines * 11)
        {
            if (NhsNumber.TryFromBase(random.Next(0, 1_000_000_000), out var number))
            {
                text.Append(number.Value).Append('\n');
            }
        }

        _run = Encoding.ASCII.GetBytes(text.ToString());
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Lines)]
    public int TryParseAsciiPerLine()
    {
        var parsed = 0;
        while (parsed < Lines && NhsNumber.TryParseAscii(_run.AsSpan(parsed * 11, 10), out var nhsBase, out _))
        {
            _bases[parsed++] = nhsBase;
        }

        return parsed;
    }

    [Benchmark(OperationsPerInvoke = Lines)]
    public int ParseDigitLines() => NhsNumber.ParseDigitLines(_run, _bases);
}

/// <summary>Writing kept numbers: the digit-by-digit loop the codec used before, against its pairs from a table.</summary>
public class DigitWritingBenchmarks
{
    private const int Numbers = 4096;
    private readonly byte[] _out = new byte[Numbers * 11];
    private int[] _bases = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(9);
        _bases = Enumerable.Range(0, Numbers).Select(_ => random.Next(0, 1_000_000_000)).ToArray();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Numbers)]
    public int DigitByDigit()
    {
        var written = 0;
        for (var i = 0; i < _bases.Length; i++)
        {
            var destination = _out.AsSpan(i * 11, 10);
            var (rest, sum) = (_bases[i], 0);
            for (var d = 8; d >= 0; d--)
            {
                var (quotient, digit) = Math.DivRem(rest, 10);
                destination[d] = (byte)('0' + digit);
                sum += digit * (10 - d);
                rest = quotient;
            }

            var check = 11 - (sum % 11);
            destination[9] = (byte)('0' + (check == 11 ? 0 : check));
            written += check == 10 ? 0 : 1;
        }

        return written;
    }

    [Benchmark(OperationsPerInvoke = Numbers)]
    public int TryWriteAscii()
    {
        var written = 0;
        for (var i = 0; i < _bases.Length; i++)
        {
            written += NhsNumber.TryWriteAscii(_bases[i], _out.AsSpan(i * 11, 10)) ? 1 : 0;
        }

        return written;
    }
}

/// <summary>The bulk check's byte-level line reader against parsing each line as a string with the domain type.</summary>
[MemoryDiagnoser]
public class LineParsingBenchmarks
{
    private byte[][] _lines = [];

    private byte[][] _rows = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        var numbers = Enumerable.Range(0, 4096).Select(_ =>
        {
            NhsNumber number;
            while (!NhsNumber.TryFromBase(random.Next(400_000_000, 500_000_000), out number))
            {
            }

            return number.Value;
        }).ToList();
        _lines = [.. numbers.Select(n => Encoding.ASCII.GetBytes(n + ",\r"))];

        // A spreadsheet's extract: a quoted name holding a comma before the number, a postcode after it.
        _rows = [.. numbers.Select((n, i) => Encoding.ASCII.GetBytes($"\"Patient {i}, Given\",{n},\"LS1 4AP\"\r"))];
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

    [Benchmark(OperationsPerInvoke = 4096)]
    public long NhsNumberLineParseCsvRow()
    {
        long sum = 0;
        foreach (var row in _rows)
        {
            sum += NhsNumberLine.Parse(row, 1, out var b, out _) == NhsNumberLine.Outcome.Valid ? b : 0;
        }

        return sum;
    }
}
