using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace OptOut.Contracts.Audit;

/// <summary>
/// How each audit entry's hash is computed, published so that anyone holding an export can re-verify it
/// without OptOut: SHA-256 (lower-case hex) of the JSON array of the fields below, in this order, with the
/// time as UTC to the microsecond; the first entry's previous hash is <see cref="Genesis"/>.
/// </summary>
public static class AuditChain
{
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    public static string HashOf(long sequence, DateTimeOffset recordedAt, string kind, string action, string actor, string actorRole,
        string? nhsNumber, string? purpose, int outcome, string requestId, string details, string previousHash)
    {
        var content = JsonSerializer.Serialize(new object?[]
        {
            sequence, recordedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture),
            kind, action, actor, actorRole, nhsNumber, purpose, outcome, requestId, details, previousHash,
        });
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(content))).ToLowerInvariant();
    }

    /// <summary>The text a checkpoint's ECDSA P-256 / SHA-256 signature covers.</summary>
    public static byte[] CheckpointPayload(long fromSequence, long toSequence, string merkleRoot, string headHash, DateTimeOffset signedAt) =>
        Encoding.UTF8.GetBytes($"optout-audit-checkpoint\n{fromSequence}\n{toSequence}\n{merkleRoot}\n{headHash}\n{signedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture)}");
}
