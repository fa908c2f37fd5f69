using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace OptOut.Indexing;

/// <summary>
/// One bit per nine-digit NHS number base (the tenth digit is derived), in 1 Mibit chunks allocated on
/// first use: 3.5 million opt-outs spread over the English ranges cost about 40 MB, the whole space at
/// most 125 MB. Reads take no lock; a single writer sets bits with interlocked operations.
/// </summary>
public sealed class NhsNumberBitSet
{
    private const int ChunkBits = 1 << 20;
    private const int WordsPerChunk = ChunkBits / 64;
    private const int Space = 1_000_000_000;

    private readonly ulong[]?[] _chunks = new ulong[]?[(Space + ChunkBits - 1) / ChunkBits];
    private long _count;

    /// <summary>How many bases are set.</summary>
    public long Count => Interlocked.Read(ref _count);

    public bool Contains(int nineDigitBase)
    {
        var chunk = Volatile.Read(ref _chunks[nineDigitBase / ChunkBits]);
        if (chunk is null)
        {
            return false;
        }

        var bit = nineDigitBase % ChunkBits;
        return (Volatile.Read(ref chunk[bit >> 6]) & (1UL << (bit & 63))) != 0;
    }

    /// <summary>
    /// Asks the CPU to start loading the word that holds this base. A bulk check looks up millions of random bases in
    /// tens of megabytes: each look-up misses the cache, and only several misses in flight at once keep it from waiting
    /// out each one in turn. A hint only: where the CPU has no such instruction, nothing happens.
    /// </summary>
    public unsafe void Prefetch(int nineDigitBase)
    {
        if (Sse.IsSupported && Volatile.Read(ref _chunks[nineDigitBase / ChunkBits]) is { } chunk)
        {
            // The array may move before the hint is taken; a hint about a stale address only wastes the hint.
            Sse.Prefetch0(Unsafe.AsPointer(ref chunk[(nineDigitBase % ChunkBits) >> 6]));
        }
    }

    public void Set(int nineDigitBase, bool value)
    {
        var index = nineDigitBase / ChunkBits;
        var chunk = _chunks[index];
        if (chunk is null)
        {
            if (!value)
            {
                return;
            }

            chunk = new ulong[WordsPerChunk];
            Volatile.Write(ref _chunks[index], chunk);
        }

        var bit = nineDigitBase % ChunkBits;
        var mask = 1UL << (bit & 63);
        var before = value ? Interlocked.Or(ref chunk[bit >> 6], mask) : Interlocked.And(ref chunk[bit >> 6], ~mask);
        var wasSet = (before & mask) != 0;
        if (wasSet != value)
        {
            Interlocked.Add(ref _count, value ? 1 : -1);
        }
    }

    /// <summary>Unsets every base; only before the index is ready, when nobody reads it.</summary>
    public void Clear()
    {
        Array.Clear(_chunks);
        Interlocked.Exchange(ref _count, 0);
    }

    /// <summary>
    /// The set bases in ascending order, for saving the index. The writer may set bits meanwhile: a word is read whole,
    /// so each base comes out as it stood at some moment of the walk (see <see cref="OptOutIndexCheckpoint"/>).
    /// </summary>
    public IEnumerable<int> Bases()
    {
        for (var c = 0; c < _chunks.Length; c++)
        {
            var chunk = _chunks[c];
            if (chunk is null)
            {
                continue;
            }

            for (var w = 0; w < chunk.Length; w++)
            {
                for (var word = chunk[w]; word != 0; word &= word - 1)
                {
                    yield return c * ChunkBits + w * 64 + System.Numerics.BitOperations.TrailingZeroCount(word);
                }
            }
        }
    }

    /// <summary>Bytes held by allocated chunks.</summary>
    public long AllocatedBytes => _chunks.Count(c => c is not null) * (long)WordsPerChunk * sizeof(ulong);
}
