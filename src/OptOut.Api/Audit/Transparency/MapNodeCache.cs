using System.Buffers.Binary;
using OptOut.Contracts.Audit;

namespace OptOut.Audit.Transparency;

/// <summary>
/// The patient map's nodes the sequencer keeps in memory (millions of them), and the version each is stored under,
/// held as plain values: no object per node, nothing for the garbage collector to trace. Held as objects (a node, its
/// hash, key and children's hashes each an array, in dictionaries of references), they took about a gigabyte more, and
/// a merge of 50,000 entries promoted hundreds of thousands of them and dirtied references all over arrays of millions,
/// for collections that paused every request in flight (docs/benchmarks.md: GC time 0.67-0.69x since). A merge's own
/// nodes and paths are still objects while it runs.
/// </summary>
public sealed class MapNodeCache
{
    private Dictionary<Hash32, CachedNode> _nodes = [];
    private Dictionary<Hash32, long> _versions = [];

    public int Count => _nodes.Count;

    public bool Contains(byte[] hash) => _nodes.ContainsKey(Hash32.Of(hash));

    /// <summary>
    /// The node, made again from what is kept. A branch's hash is not computed again (it was checked when kept, and a
    /// merge passes through about twenty a patient); a leaf's is, by its constructor, once a patient.
    /// </summary>
    public bool TryGet(byte[] hash, out MapNode node)
    {
        if (_nodes.TryGetValue(Hash32.Of(hash), out var kept))
        {
            node = kept.IsLeaf
                ? new MapLeafNode(new MapLeaf(kept.Key.ToArray(), kept.Entries, kept.A.ToArray()))
                : MapBranch.Remade(kept.Depth, kept.Key.ToArray(), kept.A.ToArray(), kept.B.ToArray(), hash);
            return true;
        }

        node = null!;
        return false;
    }

    /// <summary>A kept branch's depth, key and children, without making the node: for walks that only steer by them.</summary>
    public bool TryGetBranch(byte[] hash, out int depth, out byte[] key, out byte[] left, out byte[] right)
    {
        if (_nodes.TryGetValue(Hash32.Of(hash), out var kept) && !kept.IsLeaf)
        {
            (depth, key, left, right) = (kept.Depth, kept.Key.ToArray(), kept.A.ToArray(), kept.B.ToArray());
            return true;
        }

        (depth, key, left, right) = (0, [], [], []);
        return false;
    }

    public void Put(MapNode node) => _nodes[Hash32.Of(node.Hash)] = CachedNode.Of(node);

    public void Remove(byte[] hash)
    {
        var h = Hash32.Of(hash);
        _nodes.Remove(h);
        _versions.Remove(h);
    }

    public bool TryGetVersion(byte[] hash, out long version) => _versions.TryGetValue(Hash32.Of(hash), out version);

    public long Version(byte[] hash) => _versions[Hash32.Of(hash)];

    public void SetVersion(byte[] hash, long version) => _versions[Hash32.Of(hash)] = version;

    /// <summary>Keeps only the nodes <paramref name="kept"/> names, with their versions and their children's.</summary>
    public void KeepOnly(IReadOnlyCollection<byte[]> kept)
    {
        var nodes = new Dictionary<Hash32, CachedNode>(kept.Count);
        var versions = new Dictionary<Hash32, long>(kept.Count * 2);
        foreach (var hash in kept)
        {
            var h = Hash32.Of(hash);
            var node = _nodes[h];
            nodes[h] = node;
            versions[h] = _versions[h];
            if (!node.IsLeaf)
            {
                versions[node.A] = _versions[node.A];
                versions[node.B] = _versions[node.B];
            }
        }

        (_nodes, _versions) = (nodes, versions);
    }

    /// <summary>A SHA-256 as four numbers: a dictionary key with no array behind it.</summary>
    private readonly record struct Hash32(ulong A, ulong B, ulong C, ulong D)
    {
        public static Hash32 Of(ReadOnlySpan<byte> hash) => new(
            BinaryPrimitives.ReadUInt64BigEndian(hash), BinaryPrimitives.ReadUInt64BigEndian(hash[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(hash[16..]), BinaryPrimitives.ReadUInt64BigEndian(hash[24..]));

        public byte[] ToArray()
        {
            var bytes = new byte[32];
            BinaryPrimitives.WriteUInt64BigEndian(bytes, A);
            BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(8), B);
            BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(16), C);
            BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(24), D);
            return bytes;
        }

        // SHA-256 output is uniform: any of its bits make a good hash code, and the default would mix all four.
        public override int GetHashCode() => (int)A;
    }

    /// <summary>A node as values: a leaf's key, count and head (in A); a branch's depth, key and children (A, B).</summary>
    private readonly record struct CachedNode(short Depth, Hash32 Key, Hash32 A, Hash32 B, long Entries)
    {
        public bool IsLeaf => Depth == PatientMap.KeyBits;

        public static CachedNode Of(MapNode node) => node switch
        {
            MapLeafNode leaf => new((short)PatientMap.KeyBits, Hash32.Of(leaf.Key), Hash32.Of(leaf.Leaf.Head), default, leaf.Leaf.Entries),
            MapBranch branch => new((short)branch.Depth, Hash32.Of(branch.Key), Hash32.Of(branch.LeftHash), Hash32.Of(branch.RightHash), 0),
            _ => throw new ArgumentException("A map node is a leaf or a branch.", nameof(node)),
        };
    }
}
