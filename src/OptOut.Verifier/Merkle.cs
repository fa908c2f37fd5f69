using System.Numerics;
using System.Security.Cryptography;

namespace OptOut.Verifier;

/// <summary>
/// RFC 9162 proof verification, written as transparency-dev's verifier decomposes a proof: the inner part (the levels
/// where the leaf's path and the tree's right edge differ) and the border (the right edge's complete subtrees). A
/// different route to the same answer from the service's own section 2.1 algorithms.
/// </summary>
public static class Merkle
{
    public static byte[] Leaf(ReadOnlySpan<byte> data) => SHA256.HashData([0x00, .. data]);

    public static byte[] Node(byte[] left, byte[] right) => SHA256.HashData([0x01, .. left, .. right]);

    public static bool VerifyInclusion(long index, long size, byte[] leaf, IReadOnlyList<byte[]> proof, byte[] root)
    {
        if (index < 0 || index >= size || !AllHashes(proof) || leaf.Length != 32 || root.Length != 32)
        {
            return false;
        }

        var (inner, border) = Decompose(index, size);
        if (proof.Count != inner + border)
        {
            return false;
        }

        var hash = ChainInner(leaf, proof.Take(inner), index);
        hash = ChainBorderRight(hash, proof.Skip(inner));
        return hash.AsSpan().SequenceEqual(root);
    }

    public static bool VerifyConsistency(long size1, long size2, byte[] root1, byte[] root2, IReadOnlyList<byte[]> proof)
    {
        if (size1 < 0 || size2 < size1 || !AllHashes(proof) || root1.Length != 32 || root2.Length != 32)
        {
            return false;
        }

        if (size1 == size2)
        {
            return proof.Count == 0 && root1.AsSpan().SequenceEqual(root2);
        }

        if (size1 == 0)
        {
            return proof.Count == 0;
        }

        if (proof.Count == 0)
        {
            return false;
        }

        var (inner, border) = Decompose(size1 - 1, size2);
        var shift = BitOperations.TrailingZeroCount(size1);
        inner -= shift;
        var (seed, start) = size1 == 1L << shift ? (root1, 0) : (proof[0], 1);
        if (proof.Count != start + inner + border)
        {
            return false;
        }

        var rest = proof.Skip(start).ToList();
        var mask = (size1 - 1) >> shift;
        var hash1 = ChainBorderRight(ChainInnerRight(seed, rest.Take(inner), mask), rest.Skip(inner));
        var hash2 = ChainBorderRight(ChainInner(seed, rest.Take(inner), mask), rest.Skip(inner));
        return hash1.AsSpan().SequenceEqual(root1) && hash2.AsSpan().SequenceEqual(root2);
    }

    private static (int Inner, int Border) Decompose(long index, long size)
    {
        var inner = 64 - BitOperations.LeadingZeroCount((ulong)(index ^ (size - 1)));
        var border = BitOperations.PopCount((ulong)index >> inner);
        return (inner, border);
    }

    private static byte[] ChainInner(byte[] seed, IEnumerable<byte[]> proof, long index)
    {
        var i = 0;
        foreach (var h in proof)
        {
            seed = ((index >> i++) & 1) == 0 ? Node(seed, h) : Node(h, seed);
        }

        return seed;
    }

    private static byte[] ChainInnerRight(byte[] seed, IEnumerable<byte[]> proof, long index)
    {
        var i = 0;
        foreach (var h in proof)
        {
            if (((index >> i++) & 1) == 1)
            {
                seed = Node(h, seed);
            }
        }

        return seed;
    }

    private static byte[] ChainBorderRight(byte[] seed, IEnumerable<byte[]> proof) => proof.Aggregate(seed, (current, h) => Node(h, current));

    private static bool AllHashes(IReadOnlyList<byte[]> proof) => proof.All(h => h.Length == 32);
}
