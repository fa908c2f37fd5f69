using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace OptOut.Contracts.Audit;

/// <summary>
/// The map from NHS number to that patient's own history that every checkpoint commits to, so a patient can prove their
/// list of uses is complete. A leaf is (key, entries, head): the key is SHA-256 of the NHS number, entries how many log
/// entries name the patient, head their own chain over those entries (<see cref="NextHead"/>). The tree is a binary
/// Patricia trie over the keys' bits: a subtree holding one leaf is that leaf's hash, one holding none is absent, and a
/// branch exists only where keys part, its hash binding the bit where they do (so a key's path from a root is one path,
/// whatever a server claims). A proof is the siblings down a key's path and the leaf it ends at: the patient's own, or
/// another whose key parts from theirs where no branch stands, which proves the patient has no entries.
/// </summary>
public static class PatientMap
{
    public const int KeyBits = 256;
    private const byte LeafPrefix = 0x02;
    private const byte BranchPrefix = 0x03;
    private const byte HeadPrefix = 0x04;

    /// <summary>The root of the map with no patients: 32 zero bytes.</summary>
    public static byte[] EmptyRoot => new byte[LogProofs.HashSize];

    /// <summary>The chain head of a patient with no entries.</summary>
    public static byte[] EmptyHead => new byte[LogProofs.HashSize];

    public static byte[] Key(string nhsNumber) => SHA256.HashData(Encoding.UTF8.GetBytes("optout patient map\n" + nhsNumber));

    /// <summary>The patient's head after one more entry: the log leaf it is (its index and RFC 9162 leaf hash), chained on.</summary>
    public static byte[] NextHead(ReadOnlySpan<byte> head, long leafIndex, ReadOnlySpan<byte> logLeafHash) =>
        HashOf(HeadPrefix, head, leafIndex, logLeafHash);

    public static byte[] LeafHash(ReadOnlySpan<byte> key, long entries, ReadOnlySpan<byte> head) => HashOf(LeafPrefix, key, entries, head);

    /// <summary>SHA-256(prefix ‖ a hash ‖ a number as 8 bytes big-endian ‖ a hash): a leaf, or a step of a patient's chain.</summary>
    private static byte[] HashOf(byte prefix, ReadOnlySpan<byte> first, long number, ReadOnlySpan<byte> second)
    {
        Span<byte> data = stackalloc byte[1 + 32 + 8 + 32];
        data[0] = prefix;
        first.CopyTo(data[1..]);
        BinaryPrimitives.WriteInt64BigEndian(data[33..], number);
        second.CopyTo(data[41..]);
        return SHA256.HashData(data);
    }

    public static byte[] BranchHash(int depth, ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        Span<byte> data = stackalloc byte[1 + 1 + 32 + 32];
        data[0] = BranchPrefix;
        data[1] = (byte)depth;
        left.CopyTo(data[2..]);
        right.CopyTo(data[34..]);
        return SHA256.HashData(data);
    }

    /// <summary>Bit <paramref name="depth"/> of a key, most significant first.</summary>
    public static int Bit(ReadOnlySpan<byte> key, int depth) => (key[depth >> 3] >> (7 - (depth & 7))) & 1;

    /// <summary>The first bit where two keys differ; 256 when they are the same.</summary>
    public static int Parting(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        for (var i = 0; i < 32; i++)
        {
            if (a[i] != b[i])
            {
                return (i * 8) + System.Numerics.BitOperations.LeadingZeroCount((uint)(a[i] ^ b[i])) - 24;
            }
        }

        return KeyBits;
    }

    /// <summary>
    /// The root a proof for <paramref name="key"/> gives, and what it says of that patient (entries and head; 0 and the
    /// empty head when it proves they have none); null when the proof is malformed or proves nothing about this key.
    /// </summary>
    public static (byte[] Root, long Entries, byte[] Head)? Fold(ReadOnlySpan<byte> key, MapProof proof)
    {
        if (key.Length != 32 || proof.Path.Count > KeyBits)
        {
            return null;
        }

        if (proof.Leaf is not { } leaf)
        {
            return proof.Path.Count == 0 ? (EmptyRoot, 0, EmptyHead) : null;
        }

        if (leaf.Key.Length != 32 || leaf.Head.Length != 32 || leaf.Entries < 1)
        {
            return null;
        }

        var own = leaf.Key.AsSpan().SequenceEqual(key);
        var parting = Parting(key, leaf.Key);
        var hash = LeafHash(leaf.Key, leaf.Entries, leaf.Head);
        for (var i = proof.Path.Count - 1; i >= 0; i--)
        {
            var (depth, sibling) = proof.Path[i];
            // Depths strictly grow down the path; a branch where the two keys part means the patient's leaf could be on
            // the other side, so another leaf proves nothing.
            if (depth < 0 || depth >= KeyBits || sibling.Length != 32 || (i > 0 && proof.Path[i - 1].Depth >= depth) || (!own && depth == parting))
            {
                return null;
            }

            hash = Bit(leaf.Key, depth) == 0 ? BranchHash(depth, hash, sibling) : BranchHash(depth, sibling, hash);
        }

        return own ? (hash, leaf.Entries, leaf.Head) : (hash, 0, EmptyHead);
    }

    /// <summary>A patient's chain head recomputed from their entries' leaf indexes and RFC 9162 leaf hashes, in log order.</summary>
    public static byte[] HeadOf(IEnumerable<(long LeafIndex, byte[] LogLeafHash)> entries)
    {
        var head = EmptyHead;
        foreach (var (index, leaf) in entries)
        {
            head = NextHead(head, index, leaf);
        }

        return head;
    }
}

/// <summary>A leaf of the map: a patient's key, how many entries name them, and the head of their chain.</summary>
public sealed record MapLeaf(byte[] Key, long Entries, byte[] Head);

/// <summary>
/// The proof of one key: the branches from the root down (each the bit where it parts and its other child's hash), and
/// the leaf the path ends at (the patient's, or another's proving theirs absent); no leaf only for the empty map.
/// </summary>
public sealed record MapProof(IReadOnlyList<(int Depth, byte[] Sibling)> Path, MapLeaf? Leaf);
