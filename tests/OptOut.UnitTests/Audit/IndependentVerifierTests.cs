using Microsoft.Extensions.Options;
using OptOut.Audit.Transparency;
using OptOut.Contracts.Audit;
using OptOut.Verifier;

namespace OptOut.UnitTests.Audit;

/// <summary>
/// The independent verifier (src/OptOut.Verifier: its own code, Bouncy Castle's Ed25519) against RFC 6962's published
/// vectors, and against what the service produces: two implementations that agree on every proof of every size.
/// </summary>
public class IndependentVerifierTests
{
    private static readonly byte[][] Leaves =
        [.. new[] { "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f" }.Select(Convert.FromHexString)];

    private static readonly string[] Proof2 = ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"];

    private static readonly string[] Proof6 =
        ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"];

    private static readonly byte[] Root8 = Convert.FromHexString("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");

    [Theory]
    [InlineData(0, "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")]
    [InlineData(5, "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")]
    public void The_published_inclusion_proofs_verify_and_a_wrong_leaf_does_not(int index, params string[] proof)
    {
        var hashes = proof.Select(Convert.FromHexString).ToList();

        Assert.True(Merkle.VerifyInclusion(index, 8, Merkle.Leaf(Leaves[index]), hashes, Root8));
        Assert.False(Merkle.VerifyInclusion(index, 8, Merkle.Leaf(Leaves[index + 1]), hashes, Root8));
        Assert.False(Merkle.VerifyInclusion(index ^ 2, 8, Merkle.Leaf(Leaves[index]), hashes, Root8));
        Assert.False(Merkle.VerifyInclusion(index, 8, Merkle.Leaf(Leaves[index]), hashes[..^1], Root8));
    }

    [Fact]
    public void The_published_consistency_proofs_verify()
    {
        var root2 = Convert.FromHexString("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125");
        var root6 = Convert.FromHexString("76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef");
        List<byte[]> proof2 = [.. Proof2.Select(Convert.FromHexString)];
        List<byte[]> proof6 = [.. Proof6.Select(Convert.FromHexString)];

        Assert.True(Merkle.VerifyConsistency(2, 8, root2, Root8, proof2));
        Assert.True(Merkle.VerifyConsistency(6, 8, root6, Root8, proof6));
        Assert.False(Merkle.VerifyConsistency(6, 8, root2, Root8, proof6));
    }

    [Fact]
    public void The_verifier_accepts_every_proof_the_service_makes_and_no_altered_one()
    {
        var leaves = Enumerable.Range(0, 40).Select(i => LogProofs.LeafHash([(byte)i])).ToArray();
        for (var size = 1; size <= leaves.Length; size++)
        {
            var root = LogProofs.Root(leaves[..size]);
            for (var index = 0; index < size; index++)
            {
                var proof = LogProofs.InclusionRanges(index, size).Select(r => LogProofs.Root(leaves[(int)r.Start..(int)r.End])).ToList();
                Assert.True(Merkle.VerifyInclusion(index, size, leaves[index], proof, root));
                Assert.Equal(proof.Count > 0, !Merkle.VerifyInclusion(index, size, leaves[index], [.. proof.Skip(1)], root));
            }

            for (var first = 1; first < size; first++)
            {
                var proof = LogProofs.ConsistencyRanges(first, size).Select(r => LogProofs.Root(leaves[(int)r.Start..(int)r.End])).ToList();
                Assert.True(Merkle.VerifyConsistency(first, size, LogProofs.Root(leaves[..first]), root, proof));
                Assert.False(Merkle.VerifyConsistency(first, size, LogProofs.Root(leaves[..first]), LogProofs.Root(leaves[..(size - 1)]), proof));
            }
        }
    }

    [Fact]
    public void A_checkpoint_the_service_signs_opens_with_Bouncy_Castle_and_a_forged_one_does_not()
    {
        using var key = new LogKey(Options.Create(new TransparencyLogOptions { Origin = "example.nhs.uk/optout/audit" }));
        using var other = new LogKey(Options.Create(new TransparencyLogOptions { Origin = "example.nhs.uk/optout/audit" }));
        var checkpoint = new LogCheckpoint(key.Origin, 8, Root8);

        var (opened, problem) = Note.Open(key.Sign(checkpoint), key.VerifierKey);
        Assert.Null(problem);
        Assert.Equal(8, opened!.Size);
        Assert.Equal(Root8, opened.Root);
        Assert.Null(Note.Open(other.Sign(checkpoint), key.VerifierKey).Checkpoint);
        Assert.Null(Note.Open(key.Sign(checkpoint).Replace("\n8\n", "\n7\n", StringComparison.Ordinal), key.VerifierKey).Checkpoint);
        Assert.Null(Note.Open(key.Sign(checkpoint), other.VerifierKey).Checkpoint);
    }

    [Fact]
    public void An_entry_hashes_as_the_service_hashes_it_even_with_characters_JSON_escapes()
    {
        var at = new DateTimeOffset(2026, 12, 5, 21, 40, 1, TimeSpan.Zero).AddTicks(1234560);
        var hash = AuditChain.HashOf(7, at, "access", "GET /v1/opt-outs/*", "extract <one> & 'two'", "pipeline", "9434765919", null, 200, "req-1", "{\"note\":\"é\"}", AuditChain.Genesis);
        var line = System.Text.Json.JsonSerializer.Serialize(new
        {
            sequence = 7, recordedAt = at, kind = "access", action = "GET /v1/opt-outs/*", actor = "extract <one> & 'two'", actorRole = "pipeline",
            nhsNumber = "9434765919", purpose = (string?)null, outcome = 200, requestId = "req-1", details = "{\"note\":\"é\"}", previousHash = AuditChain.Genesis, hash,
        });

        Assert.Equal((7L, hash, hash), Entry.Read(line));
    }
}
