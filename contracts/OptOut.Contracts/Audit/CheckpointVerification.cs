using System.Security.Cryptography;

namespace OptOut.Contracts.Audit;

/// <summary>A signed checkpoint as stored or exported: every field as text, since a verifier must not trust its shape.</summary>
public sealed record SignedCheckpoint(long FromSequence, long ToSequence, string MerkleRoot, string HeadHash, DateTimeOffset SignedAt, string Signature);

/// <summary>Where verification first failed, and why.</summary>
public sealed record CheckpointBreak(long Sequence, string Problem);

public sealed record CheckpointResult(long Verified, long? AnchoredUpTo, CheckpointBreak? FirstBreak);

/// <summary>
/// The checkpoint rules the service and the offline verifier share. Checkpoints must tile the chain from entry 1 with no
/// gap or overlap (a deleted, inserted or reordered checkpoint breaks the tiling), each one's Merkle root and head hash
/// must match the entries it covers, and each must be signed by the service key. Whatever a checkpoint holds, a
/// mismatch is reported as a break, never thrown: tampering is the very thing a verifier is there to report.
/// The newest checkpoint's removal cannot be seen from the store alone: the published copies (AuditCheckpointSigned)
/// are the evidence for that.
/// </summary>
public static class CheckpointVerification
{
    /// <param name="checkpoints">Every checkpoint, in the order of their first sequence.</param>
    /// <param name="hashes">The entries' hashes by sequence: the whole chain, or what an export holds.</param>
    /// <param name="wholeChain">True when <paramref name="hashes"/> is the whole chain: a range it lacks is then a break, not a filter.</param>
    public static CheckpointResult Verify(IReadOnlyList<SignedCheckpoint> checkpoints, IReadOnlyDictionary<long, byte[]> hashes, ECDsa key, bool wholeChain)
    {
        long verified = 0, expectedFrom = 1;
        long? anchored = null;
        foreach (var c in checkpoints)
        {
            if (Problem(c, expectedFrom, hashes, key, wholeChain, out var held) is { } problem)
            {
                return new CheckpointResult(verified, anchored, new CheckpointBreak(Math.Max(1, Math.Min(c.FromSequence, expectedFrom)), problem));
            }

            expectedFrom = c.ToSequence + 1;
            if (held)
            {
                verified++;
                anchored = c.ToSequence;
            }
        }

        return new CheckpointResult(verified, anchored, null);
    }

    private static string? Problem(SignedCheckpoint c, long expectedFrom, IReadOnlyDictionary<long, byte[]> hashes, ECDsa key, bool wholeChain, out bool held)
    {
        held = false;
        var range = $"the checkpoint over entries {c.FromSequence}-{c.ToSequence}";
        if (c.FromSequence > expectedFrom)
        {
            return $"no checkpoint covers entries {expectedFrom}-{c.FromSequence - 1}: a checkpoint was deleted";
        }

        if (c.FromSequence < expectedFrom)
        {
            return $"{range} overlaps the one before it: a checkpoint was inserted or altered";
        }

        if (c.ToSequence < c.FromSequence)
        {
            return $"{range} is not a range of entries";
        }

        if (!TryHex(c.MerkleRoot, out var root) || !TryHex(c.HeadHash, out var head) || !TryBase64(c.Signature, out var signature))
        {
            return $"{range} holds a root, head or signature that is not one (altered)";
        }

        var leaves = new List<byte[]>();
        for (var s = c.FromSequence; s <= c.ToSequence && hashes.TryGetValue(s, out var h); s++)
        {
            leaves.Add(h);
        }

        if (leaves.Count != c.ToSequence - c.FromSequence + 1)
        {
            // An export filtered by patient or period does not hold every range; the whole chain must.
            return wholeChain ? $"{range} covers entries the chain does not hold" : null;
        }

        if (!CryptographicOperations.FixedTimeEquals(MerkleTree.Root(leaves), root) || !CryptographicOperations.FixedTimeEquals(leaves[^1], head))
        {
            return $"entries {c.FromSequence}-{c.ToSequence} no longer match their signed checkpoint";
        }

        if (!key.VerifyData(AuditChain.CheckpointPayload(c.FromSequence, c.ToSequence, c.MerkleRoot, c.HeadHash, c.SignedAt), signature, HashAlgorithmName.SHA256))
        {
            return $"{range} is not signed by the service key";
        }

        held = true;
        return null;
    }

    private static bool TryHex(string text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length != 64)
        {
            return false;
        }

        try
        {
            bytes = Convert.FromHexString(text);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static bool TryBase64(string text, out byte[] bytes)
    {
        bytes = new byte[text.Length];
        if (Convert.TryFromBase64String(text, bytes, out var written))
        {
            bytes = bytes[..written];
            return true;
        }

        return false;
    }
}
