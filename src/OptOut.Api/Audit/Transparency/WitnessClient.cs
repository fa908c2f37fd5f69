using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.Options;
using Npgsql;
using OptOut.Contracts.Audit;

namespace OptOut.Audit.Transparency;

/// <summary>A witness the log asks to cosign its checkpoints (C2SP tlog-witness), and the key its cosignatures verify with.</summary>
public sealed class WitnessOptions
{
    public Uri? Url { get; set; }

    public string VerifierKey { get; set; } = "";
}

/// <summary>
/// Offers each new checkpoint to every configured witness with the consistency proof from the last size that witness
/// cosigned, and stores the cosignatures it gets back (checked against the witness's key) beside the checkpoint, so
/// the log serves its checkpoints cosigned. A witness that has seen another size says so (409) and is answered from
/// there; one that refuses a checkpoint as not extending what it cosigned (422) is the alarm every patient relies on.
/// </summary>
public sealed class WitnessClient(
    NpgsqlDataSource database, LogTree tree, LogProofService proofs, IHttpClientFactory http, IOptions<TransparencyLogOptions> options,
    TimeProvider clock, ILogger<WitnessClient> logger) : BackgroundService
{
    public const string HttpClientName = "witnesses";
    private readonly Dictionary<string, long> _cosigned = [];

    /// <summary>Each witness found ahead of the log is reported once per size it claims, not every round.</summary>
    private readonly HashSet<(string Witness, long Size)> _aheadReported = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var witnesses = options.Value.Witnesses.Where(w => w.Url is not null).ToList();
        if (witnesses.Count == 0)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await proofs.CheckpointAsync(null, stoppingToken) is { } latest)
                {
                    foreach (var witness in witnesses)
                    {
                        await OfferAsync(witness, latest.Size, latest.Note, stoppingToken);
                    }
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested && ex is NpgsqlException or HttpRequestException or TaskCanceledException or TimeoutException)
            {
                logger.LogWarning(ex, "A checkpoint was not offered to the witnesses; the next round tries again");
            }

            await Task.Delay(options.Value.WitnessInterval, clock, stoppingToken);
        }
    }

    private async Task OfferAsync(WitnessOptions witness, long size, string note, CancellationToken ct)
    {
        var name = witness.VerifierKey.Split('+')[0];
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var old = _cosigned.GetValueOrDefault(name);
            if (old >= size)
            {
                return;
            }

            var proof = old == 0 ? null : await proofs.ConsistencyAsync(old, size, ct);
            var body = new StringBuilder($"old {old}\n");
            foreach (var hash in proof?.Hashes ?? [])
            {
                body.Append(hash).Append('\n');
            }

            body.Append('\n').Append(note);
            using var content = new StringContent(body.ToString(), Encoding.UTF8, "text/plain");
            using var response = await http.CreateClient(HttpClientName).PostAsync(new Uri(witness.Url!, "add-checkpoint"), content, ct);
            var answer = await response.Content.ReadAsStringAsync(ct);
            switch (response.StatusCode)
            {
                case HttpStatusCode.OK:
                    await KeepAsync(name, size, note, answer, witness.VerifierKey, ct);
                    _cosigned[name] = size;
                    return;
                case HttpStatusCode.Conflict when long.TryParse(answer.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var theirs):
                    if (theirs > size && _aheadReported.Add((name, theirs)))
                    {
                        // Only this log's key signs what a witness cosigns, so the log once reached that size: it has since
                        // been rolled back (restored from an older backup, say) or showed the witness another history.
                        logger.LogCritical("Witness {Witness} has cosigned this log at size {Theirs}, beyond its latest checkpoint of size {Size}: " +
                                           "the log has been rolled back or forked. The witness cosigns nothing until the log extends what it cosigned",
                            name, theirs, size);
                    }

                    _cosigned[name] = theirs; // it cosigned elsewhere (another instance, or before a restart): prove from there
                    continue;
                case HttpStatusCode.UnprocessableEntity:
                    logger.LogCritical("Witness {Witness} refused the checkpoint of size {Size}: it does not extend the last one the witness cosigned", name, size);
                    return;
                default:
                    logger.LogWarning("Witness {Witness} answered {Status} for the checkpoint of size {Size}: {Answer}", name, (int)response.StatusCode, size, answer);
                    return;
            }
        }
    }

    private async Task KeepAsync(string witness, long size, string note, string line, string verifierKey, CancellationToken ct)
    {
        var body = note[..(note.IndexOf("\n\n", StringComparison.Ordinal) + 1)];
        if (Cosignature.Verify(line, body, verifierKey) is null)
        {
            logger.LogWarning("Witness {Witness} answered with a cosignature that does not verify with its key", witness);
            return;
        }

        await using var insert = database.CreateCommand(
            $"insert into {tree.Cosignatures} (size, witness, line, received_at) values (@size, @witness, @line, @at) on conflict do nothing");
        insert.Parameters.AddWithValue("size", size);
        insert.Parameters.AddWithValue("witness", witness);
        insert.Parameters.AddWithValue("line", line.EndsWith('\n') ? line : line + "\n");
        insert.Parameters.AddWithValue("at", clock.GetUtcNow());
        await insert.ExecuteNonQueryAsync(ct);
    }
}
