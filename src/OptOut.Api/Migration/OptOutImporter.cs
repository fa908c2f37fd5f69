using System.Globalization;
using Marten;
using Npgsql;
using OptOut.Decisions;
using OptOut.NationalDataOptOut;
using OptOut.NhsNumbers;
using OptOut.Patients;
using OptOut.PipelineChecks;

namespace OptOut.Migration;

public sealed record RejectedRow(long Line, string Reason);

/// <summary>What an import did: every row is imported, already present (from an earlier run), or rejected with a reason.</summary>
public sealed record ImportReport(long Received, long Imported, long AlreadyPresent, long Rejected, IReadOnlyList<RejectedRow> FirstRejected, double Seconds);

/// <summary>
/// Imports an existing list of national data opt-outs (CSV nhsNumber,optedOutAt) as events, for migrating
/// from another system. Each opt-out starts the patient's stream, so the index, the change feed and the
/// messages see it like any other. Restartable: a number whose record already exists is skipped, so a
/// run that stopped half way is simply run again.
/// </summary>
public sealed class OptOutImporter(IDocumentStore store, NpgsqlDataSource database, EventStoreNames names, TimeProvider clock)
{
    private const int BatchSize = 2000;
    private const int RejectedReported = 50;

    public async Task<ImportReport> ImportAsync(TextReader csv, string actorId, IProgress<long>? progress, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var by = new DecisionMaker(actorId, "import", null, null, null);
        long line = 0, received = 0, imported = 0, present = 0, rejected = 0;
        var firstRejected = new List<RejectedRow>();
        var batch = new Dictionary<string, DateTimeOffset>();

        void Reject(string reason)
        {
            rejected++;
            if (firstRejected.Count < RejectedReported)
            {
                firstRejected.Add(new RejectedRow(line, reason));
            }
        }

        while (await csv.ReadLineAsync(ct) is { } row)
        {
            line++;
            if (string.IsNullOrWhiteSpace(row) || (line == 1 && row.StartsWith("nhs", StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            received++;
            var fields = row.Split(',');
            if (fields.Length < 2)
            {
                Reject("A row is nhsNumber,optedOutAt.");
            }
            else if (!NhsNumber.TryParse(fields[0].Trim().Trim('"'), out var nhs, out var error))
            {
                Reject(error);
            }
            else if (!DateTimeOffset.TryParse(fields[1].Trim().Trim('"'), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                     || at < NationalDataOptOutRequest.ServiceStart || at > clock.GetUtcNow())
            {
                Reject("optedOutAt must be an ISO 8601 date or date-time between 25 May 2018 and now.");
            }
            else if (!batch.TryAdd(nhs.Value, at))
            {
                Reject("The NHS number appears twice in the file.");
            }

            if (batch.Count == BatchSize)
            {
                (var added, var skipped) = await SaveAsync(batch, by, ct);
                imported += added;
                present += skipped;
                batch.Clear();
                progress?.Report(line);
            }
        }

        if (batch.Count > 0)
        {
            (var added, var skipped) = await SaveAsync(batch, by, ct);
            imported += added;
            present += skipped;
            progress?.Report(line);
        }

        return new ImportReport(received, imported, present, rejected, firstRejected, Math.Round(started.Elapsed.TotalSeconds, 1));
    }

    private async Task<(long Imported, long AlreadyPresent)> SaveAsync(Dictionary<string, DateTimeOffset> batch, DecisionMaker by, CancellationToken ct)
    {
        await using var exists = database.CreateCommand($"select id from {names.Schema}.mt_streams where id = any(@ids)");
        exists.Parameters.AddWithValue("ids", batch.Keys.ToArray());
        var present = new HashSet<string>();
        await using (var reader = await exists.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                present.Add(reader.GetString(0));
            }
        }

        var now = clock.GetUtcNow();
        await using var session = store.LightweightSession();
        foreach (var (nhs, optedOutAt) in batch.Where(x => !present.Contains(x.Key)))
        {
            session.Events.StartStream<PatientPreferences>(nhs,
                new NationalDataOptOutSet(NhsNumber.Parse(nhs), Guid.CreateVersion7(now), by, Channel.Migrated, null, optedOutAt, now));
        }

        await session.SaveChangesAsync(ct);
        return (batch.Count - present.Count, present.Count);
    }
}
