using System.Text.Json;
using OptOut.Contracts.Audit;
using Independent = OptOut.Verifier.PatientMap;

namespace OptOut.UnitTests.Audit;

/// <summary>
/// The patient map: one root for one set of histories however the batches fell, a proof for every patient (present or
/// not) that reaches it, and no proof that survives a changed count, head, sibling or path; the independent verifier's
/// own code agrees on every proof.
/// </summary>
public class PatientMapTests
{
    private static readonly string[] Numbers = [.. Enumerable.Range(0, 300).Select(i => (9_000_000_000L + (i * 7919L)).ToString(System.Globalization.CultureInfo.InvariantCulture))];

    [Fact]
    public void The_root_depends_only_on_the_histories_not_on_how_they_were_batched()
    {
        var (_, oneBatch, _) = Build(Histories(), batch: int.MaxValue);
        var (_, manyBatches, _) = Build(Histories(), batch: 7);

        Assert.Equal(oneBatch!.Hash, manyBatches!.Hash);
        var (_, withOneLess, _) = Build(Histories().Skip(1), batch: 7);
        Assert.NotEqual(oneBatch.Hash, withOneLess!.Hash);
    }

    [Fact]
    public void Every_patient_proves_their_count_and_head_and_a_patient_never_seen_proves_none()
    {
        var (tree, root, expected) = Build(Histories(), batch: 13);

        foreach (var number in Numbers.Take(120))
        {
            var key = PatientMap.Key(number);
            var folded = PatientMap.Fold(key, tree.Prove(root, key));
            Assert.NotNull(folded);
            Assert.Equal(root!.Hash, folded.Value.Root);
            Assert.Equal(expected[number].Entries, folded.Value.Entries);
            Assert.Equal(expected[number].Head, folded.Value.Head);
        }

        foreach (var stranger in new[] { "9434765919", "4010232137", "0000000000" })
        {
            var folded = PatientMap.Fold(PatientMap.Key(stranger), tree.Prove(root, PatientMap.Key(stranger)));
            Assert.Equal(root!.Hash, folded!.Value.Root);
            Assert.Equal(0L, folded.Value.Entries);
        }
    }

    [Fact]
    public void A_proof_with_anything_changed_reaches_another_root_or_none()
    {
        var (tree, root, _) = Build(Histories(), batch: 50);
        var key = PatientMap.Key(Numbers[3]);
        var proof = tree.Prove(root, key);
        var leaf = proof.Leaf!;

        // One entry fewer, with the head recomputed to match, is another leaf: another root.
        Assert.NotEqual(root!.Hash, PatientMap.Fold(key, proof with { Leaf = leaf with { Entries = leaf.Entries - 1 } })?.Root);
        Assert.NotEqual(root.Hash, PatientMap.Fold(key, proof with { Leaf = leaf with { Head = PatientMap.EmptyHead } })?.Root);
        var path = proof.Path.ToList();
        path[^1] = (path[^1].Depth, PatientMap.EmptyRoot);
        Assert.NotEqual(root.Hash, PatientMap.Fold(key, proof with { Path = path })?.Root);
        // A step moved to another bit, or the path out of order, is not a path.
        path = [.. proof.Path];
        path[0] = (path[0].Depth + 1, path[0].Sibling);
        Assert.NotEqual(root.Hash, PatientMap.Fold(key, proof with { Path = path })?.Root);
        Assert.Null(PatientMap.Fold(key, proof with { Path = [.. proof.Path.Reverse()] }));
        // Another patient's leaf does not prove this one absent where a branch stands between them.
        var other = PatientMap.Key(Numbers[4]);
        Assert.Null(PatientMap.Fold(other, proof));
    }

    [Fact]
    public void The_independent_verifier_reads_the_same_proofs_the_same_way()
    {
        var (tree, root, expected) = Build(Histories(), batch: 11);
        foreach (var number in Numbers.Take(40).Append("9434765919"))
        {
            var proof = tree.Prove(root, PatientMap.Key(number));
            var json = JsonDocument.Parse(JsonSerializer.Serialize(new
            {
                path = proof.Path.Select(p => new { depth = p.Depth, sibling = Convert.ToBase64String(p.Sibling) }),
                leaf = proof.Leaf is { } l ? new { key = Convert.ToBase64String(l.Key), entries = l.Entries, head = Convert.ToBase64String(l.Head) } : null,
            })).RootElement;

            var read = Independent.Check(number, json, root!.Hash);
            Assert.NotNull(read);
            Assert.Equal(expected.TryGetValue(number, out var e) ? e.Entries : 0, read.Value.Entries);
            Assert.Null(Independent.Check(number, json, PatientMap.EmptyRoot));
        }

        var history = Histories().Where(h => h.NhsNumber == Numbers[0]).Select(h => (h.Index, h.Leaf)).ToList();
        Assert.Equal(PatientMap.HeadOf(history), Independent.Head(history));
    }

    [Fact]
    public void The_empty_map_proves_everyone_absent_and_nothing_else()
    {
        var key = PatientMap.Key(Numbers[0]);
        var folded = PatientMap.Fold(key, new MapProof([], null));
        Assert.Equal(PatientMap.EmptyRoot, folded!.Value.Root);
        Assert.Equal(0L, folded.Value.Entries);
        Assert.Null(PatientMap.Fold(key, new MapProof([(0, PatientMap.EmptyRoot)], null)));
    }

    /// <summary>Log entries naming the patients, some several times, in log order: (number, leaf index, leaf hash).</summary>
    private static IEnumerable<(string NhsNumber, long Index, byte[] Leaf)> Histories() =>
        Enumerable.Range(0, 600).Select(i => (Numbers[(i * 37) % 200], (long)i * 3, LogProofs.LeafHash(BitConverter.GetBytes(i))));

    private static (PatientMapTree Tree, MapNode? Root, Dictionary<string, (long Entries, byte[] Head)> Expected) Build(
        IEnumerable<(string NhsNumber, long Index, byte[] Leaf)> entries, int batch)
    {
        var tree = PatientMapTree.InMemory();
        MapNode? root = null;
        var expected = new Dictionary<string, (long Entries, byte[] Head)>();
        foreach (var chunk in entries.Chunk(batch))
        {
            var leaves = new Dictionary<string, MapLeaf>();
            foreach (var (number, index, leaf) in chunk)
            {
                var (count, head) = expected.GetValueOrDefault(number, (0, PatientMap.EmptyHead));
                expected[number] = (count + 1, PatientMap.NextHead(head, index, leaf));
                leaves[number] = new MapLeaf(PatientMap.Key(number), count + 1, expected[number].Head);
            }

            root = tree.Merge(root, leaves.Values);
        }

        return (tree, root, expected);
    }
}
