using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace OptOut.Verifier;

/// <summary>
/// The patient map as OptOut publishes it (docs/transparency-log.md), written here afresh: a binary Patricia trie over
/// SHA-256("optout patient map\n" ‖ NHS number), most significant bit first. A leaf hashes as SHA-256(0x02 ‖ key ‖
/// entries as 8 bytes big-endian ‖ head), a branch as SHA-256(0x03 ‖ the bit it parts at as one byte ‖ left ‖ right).
/// A patient's head starts as 32 zero bytes and takes each of their entries in log order as SHA-256(0x04 ‖ head ‖ leaf
/// index as 8 bytes big-endian ‖ the entry's RFC 9162 leaf hash).
/// </summary>
public static class PatientMap
{
    public static byte[] Key(string nhsNumber) => SHA256.HashData(Encoding.UTF8.GetBytes("optout patient map\n" + nhsNumber));

    public static byte[] Head(IEnumerable<(long LeafIndex, byte[] LeafHash)> entries) =>
        entries.Aggregate(new byte[32], (head, e) => SHA256.HashData([0x04, .. head, .. BigEndian(e.LeafIndex), .. e.LeafHash]));

    /// <summary>
    /// What a map proof (as the history download carries it) says of <paramref name="nhsNumber"/> under
    /// <paramref name="mapRoot"/>: how many entries name the patient and their head; null if the proof does not reach the root.
    /// </summary>
    public static (long Entries, byte[] Head)? Check(string nhsNumber, JsonElement proof, byte[] mapRoot)
    {
        var key = Key(nhsNumber);
        var steps = proof.GetProperty("path").EnumerateArray()
            .Select(s => (Depth: s.GetProperty("depth").GetInt32(), Sibling: Convert.FromBase64String(s.GetProperty("sibling").GetString()!))).ToList();
        if (proof.GetProperty("leaf").ValueKind == JsonValueKind.Null)
        {
            // Only the empty map has no leaf at all.
            return steps.Count == 0 && mapRoot.All(b => b == 0) ? (0, new byte[32]) : null;
        }

        var leaf = proof.GetProperty("leaf");
        var leafKey = Convert.FromBase64String(leaf.GetProperty("key").GetString()!);
        var entries = leaf.GetProperty("entries").GetInt64();
        var head = Convert.FromBase64String(leaf.GetProperty("head").GetString()!);
        if (leafKey.Length != 32 || head.Length != 32 || entries < 1 || steps.Count > 256)
        {
            return null;
        }

        var own = leafKey.SequenceEqual(key);
        var firstDifference = Enumerable.Range(0, 256).FirstOrDefault(d => BitOf(key, d) != BitOf(leafKey, d), 256);
        var hash = SHA256.HashData([0x02, .. leafKey, .. BigEndian(entries), .. head]);
        var below = 256;
        foreach (var (depth, sibling) in Enumerable.Reverse(steps))
        {
            // Bits grow strictly down the path; another patient's leaf proves this one absent only if no branch stands
            // where the two keys differ (there, this patient's leaf would be the other child).
            if (depth < 0 || depth >= below || sibling.Length != 32 || (!own && depth == firstDifference))
            {
                return null;
            }

            hash = BitOf(leafKey, depth) == 0
                ? SHA256.HashData([0x03, (byte)depth, .. hash, .. sibling])
                : SHA256.HashData([0x03, (byte)depth, .. sibling, .. hash]);
            below = depth;
        }

        if (!hash.SequenceEqual(mapRoot))
        {
            return null;
        }

        return own ? (entries, head) : (0, new byte[32]);
    }

    private static int BitOf(byte[] key, int bit) => (key[bit / 8] >> (7 - (bit % 8))) & 1;

    private static byte[] BigEndian(long value)
    {
        var bytes = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        return bytes;
    }
}
