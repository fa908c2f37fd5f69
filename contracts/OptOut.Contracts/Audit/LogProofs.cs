using System.Security.Cryptography;

namespace OptOut.Contracts.Audit;

/// <summary>
/// RFC 9162's Merkle tree over the whole audit trail: leaf and node hashing, which subtrees an inclusion or consistency
/// proof is made of (section 2.1.3.1 and 2.1.4.1, as ranges of leaves whose hashes the log supplies), and the
/// verification of both proofs (sections 2.1.3.2 and 2.1.4.2) that any holder of a signed checkpoint can run.
/// </summary>
public static class LogProofs
{
    public const int HashSize = 32;

    /// <summary>The hash of the empty tree: SHA-256 of nothing.</summary>
    public static byte[] EmptyRoot => SHA256.HashData([]);

    public static byte[] LeafHash(ReadOnlySpan<byte> leaf)
    {
        Span<byte> data = stackalloc byte[leaf.Length + 1];
        data[0] = 0x00;
        leaf.CopyTo(data[1..]);
        return SHA256.HashData(data);
    }

    public static byte[] NodeHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        Span<byte> data = stackalloc byte[1 + (2 * HashSize)];
        data[0] = 0x01;
        left.CopyTo(data[1..]);
        right.CopyTo(data[(1 + HashSize)..]);
        return SHA256.HashData(data);
    }

    /// <summary>The largest power of two smaller than <paramref name="n"/> (n ≥ 2): where RFC 9162 splits a tree.</summary>
    public static long Split(long n) => 1L << (63 - (int)long.LeadingZeroCount(n - 1));

    /// <summary>The root over leaf hashes already computed (an in-memory tree: tests, and verifiers rebuilding a small tree).</summary>
    public static byte[] Root(IReadOnlyList<byte[]> leafHashes) => leafHashes.Count == 0 ? EmptyRoot : Range(leafHashes, 0, leafHashes.Count);

    private static byte[] Range(IReadOnlyList<byte[]> hashes, int start, int count)
    {
        if (count == 1)
        {
            return hashes[start];
        }

        var k = (int)Split(count);
        return NodeHash(Range(hashes, start, k), Range(hashes, start + k, count - k));
    }

    /// <summary>The ranges of leaves [start, end) whose tree hashes, in order, prove leaf <paramref name="index"/> in a tree of <paramref name="size"/>.</summary>
    public static IReadOnlyList<(long Start, long End)> InclusionRanges(long index, long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, size);
        var ranges = new List<(long, long)>();
        Path(index, 0, size, ranges);
        return ranges;
    }

    private static void Path(long m, long start, long n, List<(long, long)> ranges)
    {
        if (n == 1)
        {
            return;
        }

        var k = Split(n);
        if (m < k)
        {
            Path(m, start, k, ranges);
            ranges.Add((start + k, start + n));
        }
        else
        {
            Path(m - k, start + k, n - k, ranges);
            ranges.Add((start, start + k));
        }
    }

    /// <summary>The ranges whose tree hashes prove that the tree of <paramref name="second"/> leaves extends the one of <paramref name="first"/>.</summary>
    public static IReadOnlyList<(long Start, long End)> ConsistencyRanges(long first, long second)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(first);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(first, second);
        var ranges = new List<(long, long)>();
        if (first > 0 && first < second)
        {
            SubProof(first, 0, second, true, ranges);
        }

        return ranges;
    }

    private static void SubProof(long m, long start, long n, bool whole, List<(long, long)> ranges)
    {
        if (m == n)
        {
            if (!whole)
            {
                ranges.Add((start, start + n));
            }

            return;
        }

        var k = Split(n);
        if (m <= k)
        {
            SubProof(m, start, k, whole, ranges);
            ranges.Add((start + k, start + n));
        }
        else
        {
            SubProof(m - k, start + k, n - k, false, ranges);
            ranges.Add((start, start + k));
        }
    }

    /// <summary>RFC 9162 section 2.1.3.2: does <paramref name="proof"/> take this leaf to <paramref name="root"/>?</summary>
    public static bool VerifyInclusion(ReadOnlySpan<byte> leafHash, long index, long size, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> root)
    {
        if (index < 0 || index >= size || leafHash.Length != HashSize || root.Length != HashSize || proof.Any(p => p.Length != HashSize))
        {
            return false;
        }

        long fn = index, sn = size - 1;
        var r = leafHash.ToArray();
        foreach (var p in proof)
        {
            if (sn == 0)
            {
                return false;
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                r = NodeHash(p, r);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                r = NodeHash(r, p);
            }

            fn >>= 1;
            sn >>= 1;
        }

        return sn == 0 && CryptographicOperations.FixedTimeEquals(r, root);
    }

    /// <summary>RFC 9162 section 2.1.4.2: does <paramref name="proof"/> show the second tree extends the first?</summary>
    public static bool VerifyConsistency(long first, long second, ReadOnlySpan<byte> firstRoot, ReadOnlySpan<byte> secondRoot, IReadOnlyList<byte[]> proof)
    {
        if (first < 0 || second < first || firstRoot.Length != HashSize || secondRoot.Length != HashSize || proof.Any(p => p.Length != HashSize))
        {
            return false;
        }

        if (first == second)
        {
            return proof.Count == 0 && firstRoot.SequenceEqual(secondRoot);
        }

        if (first == 0)
        {
            return proof.Count == 0;
        }

        if (proof.Count == 0)
        {
            return false;
        }

        var path = (first & (first - 1)) == 0 ? [firstRoot.ToArray(), .. proof] : proof;
        long fn = first - 1, sn = second - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }

        byte[] fr = path[0], sr = path[0];
        foreach (var c in path.Skip(1))
        {
            if (sn == 0)
            {
                return false;
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                fr = NodeHash(c, fr);
                sr = NodeHash(c, sr);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                sr = NodeHash(sr, c);
            }

            fn >>= 1;
            sn >>= 1;
        }

        return sn == 0 && CryptographicOperations.FixedTimeEquals(fr, firstRoot) && CryptographicOperations.FixedTimeEquals(sr, secondRoot);
    }
}

/// <summary>
/// The tree's right edge while leaves are appended one by one: the roots of its complete subtrees, largest first. The
/// root of the tree so far is their fold from the right, so a verifier streaming a whole trail checks every
/// checkpoint's root on the way in O(log n) memory.
/// </summary>
public sealed class LogFrontier
{
    private readonly List<(int Level, byte[] Hash)> _subtrees = [];

    public LogFrontier()
    {
    }

    /// <summary>A frontier at <paramref name="size"/> leaves from its complete subtrees, largest first (one per set bit of the size).</summary>
    public LogFrontier(long size, IEnumerable<(int Level, byte[] Hash)> subtrees)
    {
        _subtrees.AddRange(subtrees);
        if (_subtrees.Sum(s => 1L << s.Level) != size)
        {
            throw new ArgumentException("The subtrees do not add up to the size.", nameof(subtrees));
        }

        Size = size;
    }

    public long Size { get; private set; }

    /// <summary>
    /// Appends a leaf; <paramref name="completed"/> hears of each complete subtree it finishes (level, index, hash), for
    /// a log that stores some levels.
    /// </summary>
    public void Append(byte[] leafHash, Action<int, long, byte[]>? completed = null)
    {
        var (level, hash) = (0, leafHash);
        Size++;
        while (_subtrees.Count > 0 && _subtrees[^1].Level == level)
        {
            hash = LogProofs.NodeHash(_subtrees[^1].Hash, hash);
            level++;
            _subtrees.RemoveAt(_subtrees.Count - 1);
            completed?.Invoke(level, (Size >> level) - 1, hash);
        }

        _subtrees.Add((level, hash));
    }

    public byte[] Root()
    {
        if (_subtrees.Count == 0)
        {
            return LogProofs.EmptyRoot;
        }

        var root = _subtrees[^1].Hash;
        for (var i = _subtrees.Count - 2; i >= 0; i--)
        {
            root = LogProofs.NodeHash(_subtrees[i].Hash, root);
        }

        return root;
    }
}
