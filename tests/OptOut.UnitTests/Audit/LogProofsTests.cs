using OptOut.Contracts.Audit;

namespace OptOut.UnitTests.Audit;

/// <summary>
/// The audit log's tree against RFC 6962's published test vectors (the leaves and roots of Certificate Transparency's
/// reference tree, as transparency-dev/merkle keeps them): a log no other implementation agrees with proves nothing.
/// </summary>
public class LogProofsTests
{
    private static readonly byte[][] Leaves =
        [.. new[] { "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f" }.Select(Convert.FromHexString)];

    private static readonly string[] Roots =
    [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    private static readonly byte[][] LeafHashes = [.. Leaves.Select(l => LogProofs.LeafHash(l))];

    [Fact]
    public void Roots_match_the_published_tree_heads_for_every_size()
    {
        for (var size = 0; size <= Leaves.Length; size++)
        {
            Assert.Equal(Roots[size], Hex(LogProofs.Root(LeafHashes[..size])));
        }
    }

    [Theory]
    [InlineData(0, 8, "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")]
    [InlineData(5, 8, "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")]
    public void Inclusion_proofs_are_the_published_ones_and_verify(int index, int size, params string[] published)
    {
        var proof = Proof(LogProofs.InclusionRanges(index, size));

        Assert.Equal(published, proof.Select(Hex));
        Assert.True(LogProofs.VerifyInclusion(LeafHashes[index], index, size, proof, Convert.FromHexString(Roots[size])));
    }

    [Theory]
    [InlineData(2, 8, "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")]
    [InlineData(6, 8, "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")]
    [InlineData(2, 5, "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b")]
    public void Consistency_proofs_are_the_published_ones_and_verify(int first, int second, params string[] published)
    {
        var proof = Proof(LogProofs.ConsistencyRanges(first, second));

        Assert.Equal(published, proof.Select(Hex));
        Assert.True(LogProofs.VerifyConsistency(first, second, Convert.FromHexString(Roots[first]), Convert.FromHexString(Roots[second]), proof));
    }

    [Fact]
    public void Every_proof_of_every_size_verifies_and_a_changed_one_never_does()
    {
        var leaves = Enumerable.Range(0, 70).Select(i => LogProofs.LeafHash([(byte)i, (byte)(i * 7)])).ToArray();
        for (var size = 1; size <= leaves.Length; size++)
        {
            var root = LogProofs.Root(leaves[..size]);
            for (var index = 0; index < size; index++)
            {
                var proof = Proof(LogProofs.InclusionRanges(index, size), leaves);
                Assert.True(LogProofs.VerifyInclusion(leaves[index], index, size, proof, root));
                Assert.False(LogProofs.VerifyInclusion(leaves[(index + 1) % leaves.Length], index, size, proof, root));
                if (proof.Count > 0)
                {
                    Assert.False(LogProofs.VerifyInclusion(leaves[index], index, size, proof[..^1], root));
                    Assert.False(LogProofs.VerifyInclusion(leaves[index], index, size, [.. proof.Select((p, i) => i == 0 ? Flipped(p) : p)], root));
                }
            }

            for (var first = 1; first < size; first++)
            {
                var proof = Proof(LogProofs.ConsistencyRanges(first, size), leaves);
                var firstRoot = LogProofs.Root(leaves[..first]);
                Assert.True(LogProofs.VerifyConsistency(first, size, firstRoot, root, proof));
                Assert.False(LogProofs.VerifyConsistency(first, size, Flipped(firstRoot), root, proof));
                Assert.False(LogProofs.VerifyConsistency(first, size, firstRoot, root, [.. proof.Select((p, i) => i == proof.Count - 1 ? Flipped(p) : p)]));
            }
        }
    }

    [Fact]
    public void A_tree_of_the_same_size_with_another_root_is_not_consistent()
    {
        Assert.True(LogProofs.VerifyConsistency(8, 8, Convert.FromHexString(Roots[8]), Convert.FromHexString(Roots[8]), []));
        Assert.False(LogProofs.VerifyConsistency(8, 8, Convert.FromHexString(Roots[8]), Convert.FromHexString(Roots[7]), []));
        Assert.False(LogProofs.VerifyConsistency(8, 6, Convert.FromHexString(Roots[8]), Convert.FromHexString(Roots[6]), []));
    }

    private static List<byte[]> Proof(IReadOnlyList<(long Start, long End)> ranges, byte[][]? leaves = null) =>
        [.. ranges.Select(r => LogProofs.Root((leaves ?? LeafHashes)[(int)r.Start..(int)r.End]))];

    private static byte[] Flipped(byte[] hash) => [(byte)(hash[0] ^ 1), .. hash[1..]];

    private static string Hex(byte[] hash) => Convert.ToHexString(hash).ToLowerInvariant();
}

public class LogFrontierTests
{
    [Fact]
    public void The_frontier_gives_the_tree_root_at_every_size()
    {
        var frontier = new LogFrontier();
        var leaves = new List<byte[]>();
        Assert.Equal(LogProofs.EmptyRoot, frontier.Root());
        for (var i = 0; i < 300; i++)
        {
            var leaf = LogProofs.LeafHash([(byte)i, (byte)(i >> 8)]);
            leaves.Add(leaf);
            frontier.Append(leaf);
            Assert.Equal(LogProofs.Root(leaves), frontier.Root());
        }
    }
}
