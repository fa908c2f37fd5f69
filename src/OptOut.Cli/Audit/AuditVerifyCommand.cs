using System.Text.Json;
using OptOut.Contracts.Audit;

namespace OptOut.Cli.Audit;

/// <summary>
/// Re-verifies an NDJSON audit export offline: every entry's hash from its content, and every link between
/// consecutive entries. A filtered export has gaps; entries either side of a gap are checked on their own.
/// </summary>
public static class AuditVerifyCommand
{
    public const string Usage = "optout audit-verify EXPORT.ndjson [--head SEQ:HASH]";

    public static async Task<int> RunAsync(string? path, Arguments args, TextWriter output)
    {
        if (path is null || !File.Exists(path))
        {
            await output.WriteLineAsync(path is null ? "usage: " + Usage : $"optout audit-verify: no such file: {path}");
            return 2;
        }

        long entries = 0, lastSequence = 0;
        string? lastHash = null;
        foreach (var line in File.ReadLines(path).Where(l => l.Length > 0))
        {
            var e = JsonDocument.Parse(line).RootElement;
            var sequence = e.GetProperty("sequence").GetInt64();
            var hash = e.GetProperty("hash").GetString()!;
            var previous = e.GetProperty("previousHash").GetString()!;
            var computed = AuditChain.HashOf(sequence, e.GetProperty("recordedAt").GetDateTimeOffset(), Text(e, "kind")!, Text(e, "action")!, Text(e, "actor")!,
                Text(e, "actorRole")!, Text(e, "nhsNumber"), Text(e, "purpose"), e.GetProperty("outcome").GetInt32(), Text(e, "requestId")!, Text(e, "details")!, previous);
            entries++;
            if (computed != hash)
            {
                return await FailAsync(output, sequence, "was changed after it was written");
            }

            if (sequence == lastSequence + 1 && lastHash is not null && previous != lastHash)
            {
                return await FailAsync(output, sequence, "does not follow the entry before it");
            }

            lastSequence = sequence;
            lastHash = hash;
        }

        if (args.Value("--head") is { } head && head != $"{lastSequence}:{lastHash}")
        {
            return await FailAsync(output, lastSequence, $"the export ends at {lastSequence}:{lastHash}, not at the chain head {head}");
        }

        await output.WriteLineAsync($"optout audit-verify: {entries} entries intact, last {lastSequence}:{lastHash}");
        return 0;
    }

    private static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static async Task<int> FailAsync(TextWriter output, long sequence, string problem)
    {
        await output.WriteLineAsync($"optout audit-verify: entry {sequence} {problem}");
        return 1;
    }
}
