using System.CommandLine;
using System.Text.Json;
using OptOut.Contracts.Audit;

namespace OptOut.Cli.Audit;

/// <summary>
/// Re-verifies an NDJSON audit export offline: every entry's hash from its content, and every link between
/// consecutive entries. A filtered export has gaps; entries either side of a gap are checked on their own. With
/// --log-key, the file is a patient's download instead, checked as the History page checks it (<see cref="HistoryCheck"/>).
/// </summary>
public static class AuditVerifyCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var export = new Argument<FileInfo>("EXPORT") { Description = "An NDJSON export of /v1/audit." };
        export.AcceptExistingOnly();
        var head = new Option<string>("--head") { Description = "SEQ:HASH from the export's OptOut-Audit-Chain-Head header: the export must end there." };
        var checkpoints = new Option<FileInfo>("--checkpoints") { Description = "The JSON of /v1/audit/checkpoints." };
        checkpoints.AcceptExistingOnly();
        var publicKey = new Option<FileInfo>("--public-key") { Description = "The PEM of /v1/audit/public-key." };
        publicKey.AcceptExistingOnly();
        var logKey = new Option<string>("--log-key")
        {
            Description = "The audit log's verifier key (GET /v1/audit/log/key), or a file holding it: EXPORT is then a patient's download " +
                          "(GET /v1/patients/{n}/access-log/proof), each entry checked into the signed checkpoint and the list against its patient map.",
        };
        var command = new Command("audit-verify", "Recompute every hash and link of an audit export, and every signed checkpoint it covers; or check a patient's download with its proofs.")
        {
            export, head, checkpoints, publicKey, logKey,
        };
        command.Validators.Add(r =>
        {
            if (r.GetValue(logKey) is not null && (r.GetValue(head) is not null || r.GetValue(checkpoints) is not null))
            {
                r.AddError("--log-key checks a patient's download; --head, --checkpoints and --public-key are for an export.");
            }

            if ((r.GetValue(checkpoints) is null) != (r.GetValue(publicKey) is null))
            {
                r.AddError("--checkpoints and --public-key go together: a checkpoint is verified with the key that signed it.");
            }
        });
        command.SetAction(async (parsed, ct) =>
        {
            try
            {
                if (parsed.GetValue(logKey) is { } key)
                {
                    return await HistoryAsync(parsed.GetValue(export)!.FullName, File.Exists(key) ? await File.ReadAllTextAsync(key, ct) : key, output);
                }

                return await RunAsync(parsed.GetValue(export)!.FullName, parsed.GetValue(head), parsed.GetValue(checkpoints)?.FullName, parsed.GetValue(publicKey)?.FullName, output);
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or System.Security.Cryptography.CryptographicException or ArgumentException)
            {
                await error.WriteLineAsync($"optout audit-verify: the input is not an audit export, checkpoint list or public key as expected: {ex.Message}");
                return ExitCodes.Input;
            }
        });
        return command;
    }

    private static async Task<int> HistoryAsync(string path, string logKey, TextWriter output)
    {
        if (SignedNote.ParseVerifierKey(logKey.Trim()) is null)
        {
            throw new FormatException("--log-key is not a verifier key (name+id+key)");
        }

        var check = HistoryCheck.Of(await File.ReadAllTextAsync(path), logKey);
        if (!check.Verified)
        {
            await output.WriteLineAsync($"NOT VERIFIED: {check.Problem}");
            return ExitCodes.NotVerified;
        }

        await output.WriteLineAsync($"verified: all {check.Entries} entries are in the audit log's checkpoint signed {check.SignedAt:u}" +
                                    (check.Witnessed ? ", cosigned by a witness" : "") +
                                    (check.CompleteToSignedAt ? ", and its patient map shows no entry naming the patient is missing"
                                        : check.Complete ? $", and its patient map shows no entry naming the patient up to {check.CompleteUpTo:u} is missing (the map had not yet taken in the latest entries)"
                                        : "; its patient map does not cover it, so completeness is not shown"));
        return ExitCodes.Done;
    }

    private static async Task<int> RunAsync(string path, string? expectedHead, string? checkpointsFile, string? keyFile, TextWriter output)
    {
        long entries = 0, lastSequence = 0;
        string? lastHash = null;
        var hashes = new Dictionary<long, byte[]>();
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
            hashes[sequence] = Convert.FromHexString(hash);
        }

        if (entries == 0)
        {
            throw new InvalidOperationException("the export holds no entries");
        }

        if (expectedHead is { } head && head != $"{lastSequence}:{lastHash}")
        {
            return await FailAsync(output, lastSequence, $"the export ends at {lastSequence}:{lastHash}, not at the chain head {head}");
        }

        long anchored = 0;
        if (checkpointsFile is not null && keyFile is not null)
        {
            using var key = System.Security.Cryptography.ECDsa.Create();
            key.ImportFromPem(await File.ReadAllTextAsync(keyFile));
            var list = JsonDocument.Parse(await File.ReadAllTextAsync(checkpointsFile)).RootElement.EnumerateArray()
                .Select(c => new SignedCheckpoint(c.GetProperty("fromSequence").GetInt64(), c.GetProperty("toSequence").GetInt64(), c.GetProperty("merkleRoot").GetString()!,
                    c.GetProperty("headHash").GetString()!, c.GetProperty("signedAt").GetDateTimeOffset(), c.GetProperty("signature").GetString()!))
                .OrderBy(c => c.FromSequence)
                .ToList();
            // The service's own rules (CheckpointVerification); an export filtered by patient or period holds only some ranges.
            var result = CheckpointVerification.Verify(list, hashes, key, wholeChain: false);
            if (result.FirstBreak is { } broken)
            {
                return await FailAsync(output, broken.Sequence, $"is where the checkpoints break: {broken.Problem}");
            }

            anchored = result.Verified;
        }

        await output.WriteLineAsync($"optout audit-verify: {entries} entries intact, last {lastSequence}:{lastHash}; {anchored} signed checkpoints verified");
        return ExitCodes.Done;
    }

    private static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static async Task<int> FailAsync(TextWriter output, long sequence, string problem)
    {
        await output.WriteLineAsync($"optout audit-verify: entry {sequence} {problem}");
        return ExitCodes.NotVerified;
    }
}
