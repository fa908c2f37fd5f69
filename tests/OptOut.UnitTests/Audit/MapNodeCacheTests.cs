using OptOut.Audit.Transparency;
using OptOut.Contracts.Audit;

namespace OptOut.UnitTests.Audit;

public class MapNodeCacheTests
{
    private static readonly MapLeaf First = new(PatientMap.Key("9434765919"), 3, PatientMap.NextHead(PatientMap.EmptyHead, 7, new byte[32]));
    private static readonly MapLeaf Second = new(PatientMap.Key("9876543210"), 1, PatientMap.NextHead(PatientMap.EmptyHead, 9, new byte[32]));

    [Fact]
    public void A_node_kept_as_values_comes_back_as_the_same_node()
    {
        var (cache, root) = Cached();

        Assert.True(cache.TryGet(root.Hash, out var branch));
        var back = Assert.IsType<MapBranch>(branch);
        Assert.Equal(Fields(root), Fields(back));
        // Made again from its fields, it still hashes to its name: nothing was lost on the way.
        Assert.Equal(root.Hash, PatientMap.BranchHash(back.Depth, back.LeftHash, back.RightHash));

        Assert.True(cache.TryGet(root.LeftHash, out var leaf));
        var kept = Assert.IsType<MapLeafNode>(leaf).Leaf;
        var expected = PatientMap.Bit(First.Key, root.Depth) == 0 ? First : Second;
        Assert.Equal((Hex(expected.Key), expected.Entries, Hex(expected.Head)), (Hex(kept.Key), kept.Entries, Hex(kept.Head)));
        Assert.False(cache.TryGetBranch(root.LeftHash, out _, out _, out _, out _));
        Assert.True(cache.TryGetBranch(root.Hash, out var depth, out _, out var left, out var right));
        Assert.Equal((root.Depth, Hex(root.LeftHash), Hex(root.RightHash)), (depth, Hex(left), Hex(right)));
    }

    /// <summary>A map of the two leaves, every node of it kept.</summary>
    private static (MapNodeCache Cache, MapBranch Root) Cached()
    {
        var tree = PatientMapTree.InMemory();
        var root = (MapBranch)tree.Merge(null, [First, Second])!;
        var cache = new MapNodeCache();
        foreach (var node in tree.Created)
        {
            cache.Put(node);
        }

        return (cache, root);
    }

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes);

    private static (int, string, string, string, string) Fields(MapBranch b) => (b.Depth, Hex(b.Key), Hex(b.LeftHash), Hex(b.RightHash), Hex(b.Hash));

    [Fact]
    public void Keeping_only_some_nodes_keeps_their_versions_and_their_childrens()
    {
        var (cache, root) = Cached();

        cache.SetVersion(root.Hash, 12);
        cache.SetVersion(root.LeftHash, 10);
        cache.SetVersion(root.RightHash, 11);

        cache.KeepOnly([root.Hash]);

        Assert.Equal(1, cache.Count);
        Assert.False(cache.Contains(root.LeftHash));
        Assert.Equal((12, 10, 11), (cache.Version(root.Hash), cache.Version(root.LeftHash), cache.Version(root.RightHash)));
        cache.Remove(root.Hash);
        Assert.False(cache.Contains(root.Hash) || cache.TryGetVersion(root.Hash, out _));
        Assert.False(cache.TryGet(root.Hash, out _));
    }
}
