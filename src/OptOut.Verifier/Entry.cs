using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace OptOut.Verifier;

/// <summary>
/// An audit entry as OptOut exports it (one NDJSON line), and its hash recomputed from its content by the published
/// rule: SHA-256, lower-case hex, of the JSON array [sequence, recordedAt (UTC, microseconds), kind, action, actor,
/// actorRole, nhsNumber, purpose, outcome, requestId, details, previousHash].
/// </summary>
public static class Entry
{
    public static (long Sequence, string ComputedHash, string StatedHash) Read(string json)
    {
        var e = JsonDocument.Parse(json).RootElement;
        var recordedAt = DateTimeOffset.Parse(e.GetProperty("recordedAt").GetString()!, CultureInfo.InvariantCulture).UtcDateTime
            .ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture);
        var content = JsonSerializer.Serialize(new object?[]
        {
            e.GetProperty("sequence").GetInt64(), recordedAt, Text(e, "kind"), Text(e, "action"), Text(e, "actor"), Text(e, "actorRole"),
            Text(e, "nhsNumber"), Text(e, "purpose"), e.GetProperty("outcome").GetInt32(), Text(e, "requestId"), Text(e, "details"), Text(e, "previousHash"),
        });
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(content))).ToLowerInvariant();
        return (e.GetProperty("sequence").GetInt64(), hash, Text(e, "hash") ?? "");
    }

    private static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
