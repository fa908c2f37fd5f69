namespace OptOut.Contracts.Audit;

/// <summary>A node of the patient map: a leaf, or a branch where keys part at <see cref="MapBranch.Depth"/>.</summary>
public abstract class MapNode
{
    public abstract byte[] Hash { get; }

    /// <summary>A key under this node: the leaf's own, or for a branch any of its leaves' (its bits above the branch are the branch's).</summary>
    public abstract byte[] Key { get; }
}

public sealed class MapLeafNode(MapLeaf leaf) : MapNode
{
    public MapLeaf Leaf { get; } = leaf;

    public override byte[] Hash { get; } = PatientMap.LeafHash(leaf.Key, leaf.Entries, leaf.Head);

    public override byte[] Key => Leaf.Key;
}

/// <summary>A branch; its children are hashes, and (in a tree held wholly in memory) the nodes themselves.</summary>
public sealed class MapBranch : MapNode
{
    public MapBranch(int depth, byte[] key, byte[] left, byte[] right, MapNode? leftNode = null, MapNode? rightNode = null)
        : this(depth, key, left, right, PatientMap.BranchHash(depth, left, right), leftNode, rightNode)
    {
    }

    private MapBranch(int depth, byte[] key, byte[] left, byte[] right, byte[] hash, MapNode? leftNode, MapNode? rightNode)
    {
        (Depth, Key, LeftHash, RightHash, Hash, LeftNode, RightNode) = (depth, key, left, right, hash, leftNode, rightNode);
    }

    public int Depth { get; }

    public byte[] LeftHash { get; }

    public byte[] RightHash { get; }

    public MapNode? LeftNode { get; }

    public MapNode? RightNode { get; }

    public override byte[] Hash { get; }

    public override byte[] Key { get; }

    /// <summary>
    /// A branch made again from fields whose hash was computed from them before and kept beside them (a cache of nodes
    /// already checked), so it is not hashed again. Never for fields read from outside.
    /// </summary>
    public static MapBranch Remade(int depth, byte[] key, byte[] left, byte[] right, byte[] hash) => new(depth, key, left, right, hash, null, null);
}

/// <summary>
/// Updates the patient map a batch at a time: the new leaves merged into the tree from its root down, only the paths
/// they touch rebuilt. Children not in memory are fetched through <paramref name="resolve"/> (the sequencer reads them
/// from the store first, level by level); a tree wholly in memory (<paramref name="link"/>) keeps its children as
/// objects, so each old version is collected once nothing holds its root.
/// </summary>
public sealed class PatientMapTree(Func<byte[], MapNode> resolve, bool link)
{
    /// <summary>The nodes the last <see cref="Merge"/> made, children before parents: what a store must add.</summary>
    public List<MapNode> Created { get; } = [];

    /// <summary>A tree held wholly in memory, from empty.</summary>
    public static PatientMapTree InMemory() => new(_ => throw new InvalidOperationException("An in-memory patient map has every node it needs."), true);

    /// <summary>The tree after setting <paramref name="leaves"/> (one per key), from <paramref name="root"/> (null: empty).</summary>
    public MapNode? Merge(MapNode? root, IEnumerable<MapLeaf> leaves)
    {
        Created.Clear();
        var sorted = leaves.OrderBy(l => l.Key, KeyOrder.Instance).ToArray();
        for (var i = 1; i < sorted.Length; i++)
        {
            if (KeyOrder.Instance.Compare(sorted[i - 1].Key, sorted[i].Key) == 0)
            {
                throw new ArgumentException("One leaf per key.", nameof(leaves));
            }
        }

        return Merge(root, sorted, 0);
    }

    /// <summary>
    /// The map after these log entries (in log order, each naming a patient: its leaf index and RFC 9162 leaf hash):
    /// each named patient's leaf counts them and chains them onto its head. The one rule the sequencer's builder and
    /// the verifier's rebuild share.
    /// </summary>
    public MapNode? Grow(MapNode? root, IEnumerable<(string NhsNumber, long LeafIndex, byte[] LogLeaf)> named) =>
        Merge(root, named.GroupBy(e => e.NhsNumber).Select(g =>
        {
            var key = PatientMap.Key(g.Key);
            var leaf = Find(root, key);
            var head = leaf?.Head ?? PatientMap.EmptyHead;
            var count = 0;
            foreach (var (_, index, logLeaf) in g)
            {
                head = PatientMap.NextHead(head, index, logLeaf);
                count++;
            }

            return new MapLeaf(key, (leaf?.Entries ?? 0) + count, head);
        }).ToList());

    /// <summary>The patient's leaf in the tree from <paramref name="root"/>; null when they have none.</summary>
    public MapLeaf? Find(MapNode? root, byte[] key)
    {
        var node = root;
        while (node is MapBranch branch)
        {
            node = PatientMap.Parting(key, branch.Key) < branch.Depth ? null : Child(branch, PatientMap.Bit(key, branch.Depth));
        }

        return node is MapLeafNode leaf && leaf.Key.AsSpan().SequenceEqual(key) ? leaf.Leaf : null;
    }

    /// <summary>The proof for <paramref name="key"/>: its path by its own bits to the leaf it ends at.</summary>
    public MapProof Prove(MapNode? root, byte[] key)
    {
        var path = new List<(int, byte[])>();
        var node = root;
        while (node is MapBranch branch)
        {
            var bit = PatientMap.Bit(key, branch.Depth);
            path.Add((branch.Depth, bit == 0 ? branch.RightHash : branch.LeftHash));
            node = Child(branch, bit);
        }

        return new MapProof(path, (node as MapLeafNode)?.Leaf);
    }

    public MapNode Child(MapBranch branch, int side) =>
        side == 0 ? branch.LeftNode ?? resolve(branch.LeftHash) : branch.RightNode ?? resolve(branch.RightHash);

    private MapNode? Merge(MapNode? node, ReadOnlySpan<MapLeaf> leaves, int depth)
    {
        if (leaves.IsEmpty)
        {
            return node;
        }

        if (leaves.Length == 1 && (node is null || (node is MapLeafNode leaf && leaf.Key.AsSpan().SequenceEqual(leaves[0].Key))))
        {
            return Add(new MapLeafNode(leaves[0]));
        }

        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(depth, PatientMap.KeyBits);
        var split = SplitAt(leaves, depth);
        if (node is MapBranch branch && branch.Depth == depth)
        {
            var left = split == 0 ? null : Merge(Child(branch, 0), leaves[..split], depth + 1)!;
            var right = split == leaves.Length ? null : Merge(Child(branch, 1), leaves[split..], depth + 1)!;
            return Add(new MapBranch(depth, branch.Key, left?.Hash ?? branch.LeftHash, right?.Hash ?? branch.RightHash,
                link ? left ?? branch.LeftNode : null, link ? right ?? branch.RightNode : null));
        }

        // The node (a leaf, a branch further down, or nothing) lies wholly on one side of this bit.
        var side = node is null ? -1 : PatientMap.Bit(node.Key, depth);
        return Combine(depth,
            Merge(side == 0 ? node : null, leaves[..split], depth + 1),
            Merge(side == 1 ? node : null, leaves[split..], depth + 1));
    }

    private MapNode? Combine(int depth, MapNode? left, MapNode? right) =>
        left is null ? right
        : right is null ? left
        : Add(new MapBranch(depth, left.Key, left.Hash, right.Hash, link ? left : null, link ? right : null));

    private MapNode Add(MapNode node)
    {
        Created.Add(node);
        return node;
    }

    /// <summary>Where the leaves (sorted, sharing every bit above <paramref name="depth"/>) go from bit 0 to bit 1.</summary>
    private static int SplitAt(ReadOnlySpan<MapLeaf> leaves, int depth)
    {
        var i = 0;
        while (i < leaves.Length && PatientMap.Bit(leaves[i].Key, depth) == 0)
        {
            i++;
        }

        return i;
    }
}

/// <summary>Keys in bit order (most significant first), which is byte order.</summary>
public sealed class KeyOrder : IComparer<byte[]>, IEqualityComparer<byte[]>
{
    public static readonly KeyOrder Instance = new();

    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);

    public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

    public int GetHashCode(byte[] obj) => BitConverter.ToInt32(obj, 0);
}
