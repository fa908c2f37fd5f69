using System.Text;
using System.Globalization;
using Marten;
using Npgsql;
using OptOut.Records;
using OptOut.NhsNumbers;
using OptOut.EventStore;

namespace OptOut.Migration;

/// <summary>
/// What an import did: every row is imported, already present (from an earlier run), or invalid with a reason. The same
/// words and line shape as a bulk check's summary (invalid, firstInvalid).
/// </summary>
public sealed record ImportReport(string Id, long Received, long Imported, long AlreadyPresent, long Invalid, IReadOnlyList<Http.InvalidLine> FirstInvalid, double Seconds);

/// <summary>
/// The record of one import run, kept for the operational views: who ran it, when, the file's SHA-256, what became of its
/// rows, and the rejected rows with their reasons (the first thousand; <see cref="Invalid"/> counts them all).
/// </summary>
public sealed class OptOutImport
{
    public const int RejectedKept = 1_000;

    public string Id { get; set; } = "";

    public string Caller { get; set; } = "";

    public string Status { get; set; } = "running";

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }

    public string FileSha256 { get; set; } = "";

    public long Received { get; set; }

    public long Imported { get; set; }

    public long AlreadyPresent { get; set; }

    public long Invalid { get; set; }

    public List<Http.InvalidLine> Rejected { get; set; } = [];
}

/// <summary>
/// Imports an existing list of national data opt-outs (CSV nhsNumber,optedOutAt) as events, for migrating
/// from another system. Each opt-out starts the patient's stream, so the index, the change feed and the
/// messages see it like any other. Restartable: a number whose record already exists is skipped, so a
/// run that stopped half way is simply run again.
/// </summary>
public sealed class OptOutImporter(
    IDocumentStore store, NpgsqlDataSource database, EventStoreNames names, Audit.AuditSchema audit, TimeProvider clock,
    Microsoft.Extensions.Options.IOptions<IssuedNumbers> issued)
{
    private const int BatchSize = 20_000;
    private const int Writers = 2;
    private const int InvalidReported = 50;

    /// <summary>Imports the file and keeps a record of the run, whether it completes or fails.</summary>
    public async Task<ImportReport> ImportAsync(Stream file, string actorId, IProgress<long>? progress, CancellationToken ct)
    {
        var run = new OptOutImport { Id = Guid.CreateVersion7().ToString(), Caller = actorId, StartedAt = clock.GetUtcNow() };
        await SaveRunAsync(run);
        using var sha256 = System.Security.Cryptography.SHA256.Create();
        try
        {
            await using var hashed = new System.Security.Cryptography.CryptoStream(file, sha256, System.Security.Cryptography.CryptoStreamMode.Read, leaveOpen: true);
            using var csv = new StreamReader(hashed);
            var report = await ImportAsync(csv, run, progress, ct);
            run.Status = "completed";
            run.FileSha256 = Convert.ToHexString(sha256.Hash ?? []);
            return report;
        }
        catch (Exception ex)
        {
            run.Status = "failed: " + (ex is OperationCanceledException ? "stopped before the end of the file" : ex.Message);
            throw;
        }
        finally
        {
            run.FinishedAt = clock.GetUtcNow();
            await SaveRunAsync(run);
        }
    }

    private async Task SaveRunAsync(OptOutImport run)
    {
        await using var session = store.LightweightSession();
        session.Store(run);
        await session.SaveChangesAsync(CancellationToken.None);
    }

    private async Task<ImportReport> ImportAsync(TextReader csv, OptOutImport run, IProgress<long>? progress, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        var by = new DecisionMaker(run.Caller, "import", null, null, null);
        long line = 0, received = 0, imported = 0, present = 0, invalid = 0;
        var batch = new Dictionary<string, DateTimeOffset>();

        // One buffer for every row's bytes: a national migration has tens of millions of rows.
        var rowBytes = new byte[256];

        // Batches are written side by side (one fills and serialises while another runs its insert), so both cores work.
        var batches = System.Threading.Channels.Channel.CreateBounded<Dictionary<string, DateTimeOffset>>(1);
        using var writerFailed = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var writing = Parallel.ForEachAsync(
            batches.Reader.ReadAllAsync(writerFailed.Token),
            new ParallelOptions { MaxDegreeOfParallelism = Writers, CancellationToken = writerFailed.Token },
            async (full, token) =>
            {
                var (added, skipped) = await SaveAsync(full, by, run.Id, token);
                Interlocked.Add(ref imported, added);
                Interlocked.Add(ref present, skipped);
            });
        _ = writing.ContinueWith(_ => writerFailed.Cancel(), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

        void Invalid(string reason)
        {
            invalid++;
            if (run.Rejected.Count < OptOutImport.RejectedKept)
            {
                run.Rejected.Add(new Http.InvalidLine(line, reason));
            }
        }

        try
        {
            await ReadAsync();
        }
        catch (OperationCanceledException) when (writing.IsFaulted)
        {
            // A writer failed: its exception, not the cancellation it caused, is what went wrong.
        }
        finally
        {
            // Also when the file is refused: the writers then finish what they have and stop.
            batches.Writer.TryComplete();
        }

        await writing;

        (run.Received, run.Imported, run.AlreadyPresent, run.Invalid) = (received, imported, present, invalid);
        return new ImportReport(run.Id, received, imported, present, invalid, [.. run.Rejected.Take(InvalidReported)], Math.Round(started.Elapsed.TotalSeconds, 1));

        // A first line with no digit in it is a header: its lower-cased names, read as the rows are.
        static List<string>? Header(string row)
        {
            if (row.Any(char.IsAsciiDigit))
            {
                return null;
            }

            var bytes = Encoding.UTF8.GetBytes(row);
            var names = new List<string>();
            for (var i = 0; Http.CsvFields.TryGet(bytes, i, out var name) == Http.CsvFields.Found.Field; i++)
            {
                names.Add(Encoding.UTF8.GetString(name).Trim().ToLowerInvariant());
            }

            return names;
        }

        // The row's field, as a bulk check reads its CSV (quoted fields may hold commas), or null when it has none there.
        static string? Field(ReadOnlySpan<byte> row, int column) =>
            Http.CsvFields.TryGet(row, column, out var field) == Http.CsvFields.Found.Field ? Encoding.UTF8.GetString(field).Trim() : null;

        ReadOnlySpan<byte> Utf8(string row)
        {
            if (Encoding.UTF8.GetMaxByteCount(row.Length) > rowBytes.Length)
            {
                rowBytes = new byte[Encoding.UTF8.GetMaxByteCount(row.Length)];
            }

            return rowBytes.AsSpan(0, Encoding.UTF8.GetBytes(row, rowBytes));
        }

        async Task ReadAsync()
        {
            // Columns as the header names them (a file may put optedOutAt first); without a header, nhsNumber,optedOutAt.
            var (number, date) = (0, 1);
            while (await csv.ReadLineAsync(writerFailed.Token) is { } row)
            {
                line++;
                if (string.IsNullOrWhiteSpace(row))
                {
                    continue;
                }

                if (line == 1 && Header(row) is { } header)
                {
                    (number, date) = (header.IndexOf("nhsnumber"), header.IndexOf("optedoutat"));
                    if (number < 0 || date < 0 || header.LastIndexOf("nhsnumber") != number || header.LastIndexOf("optedoutat") != date)
                    {
                        // Every row would be read in the wrong place: refuse the file, not each of its rows.
                        // The file's own words are repeated only when they are plain and short: the reason is kept in
                        // the run's record (jsonb, where a NUL cannot go) and sent back in the problem.
                        var named = string.Join(",", header);
                        throw new ImportRefusedException(named.Length <= 200 && Http.SafeText.FirstUnsafe(named, allowTab: false) is null
                            ? $"The header names {named}: it must name the columns nhsNumber and optedOutAt, once each."
                            : "The first line is a header that does not name the columns nhsNumber and optedOutAt, once each.");
                    }

                    continue;
                }

                received++;
                var bytes = Utf8(row);
                if ((Field(bytes, number), Field(bytes, date)) is not ({ } given, { } when))
                {
                    Invalid("A row is nhsNumber,optedOutAt; a quoted field closes on its own line.");
                }
                else if (!NhsNumber.TryParse(given, out var nhs, out var error))
                {
                    Invalid(error);
                }
                else if (issued.Value.Refusal(nhs, "The NHS number") is { } outside)
                {
                    Invalid(outside);
                }
                else if (OptedOutAt(when) is not { } at || at < RecordRules.ServiceStart || at > clock.GetUtcNow())
                {
                    Invalid("optedOutAt must be a date (2019-03-01, read as that day in the UK) or an ISO 8601 date-time with its offset, between 25 May 2018 and now.");
                }
                else if (!batch.TryAdd(nhs.Value, at))
                {
                    Invalid("The NHS number appears twice in the file.");
                }

                if (batch.Count == BatchSize)
                {
                    await batches.Writer.WriteAsync(batch, writerFailed.Token);
                    batch = [];
                    progress?.Report(line);
                }
            }

            if (batch.Count > 0)
            {
                await batches.Writer.WriteAsync(batch, writerFailed.Token);
                progress?.Report(line);
            }
        }
    }

    /// <summary>
    /// Writes a batch in one transaction in Marten's own storage layout, by COPY into a staging table and one
    /// statement of set-based inserts: per-stream appends run at a few thousand a second, which would make a
    /// national migration take most of an hour. The events and snapshots are serialized by Marten's own
    /// serializer, and the sequence comes from Marten's, so readers cannot tell the difference; the import
    /// tests read imported opt-outs back through the API, the index and the history to prove it. This is the one write
    /// that does not commit through Patients/RecordWriter, so it commits its own audit record naming the batch's events
    /// (<see cref="Audit.EventDigests"/>), as a change's does.
    /// </summary>
    private async Task<(long Imported, long AlreadyPresent)> SaveAsync(Dictionary<string, DateTimeOffset> batch, DecisionMaker by, string importId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var serializer = store.Options.Serializer();
        await using var connection = await database.OpenConnectionAsync(ct);

        // A run started again after a stop finds most numbers already there: leave those out before anything is serialised
        // and staged (docs/benchmarks.md, "Figures behind the design": a second run did both for nothing). The insert below still skips
        // any that another batch or run adds meanwhile.
        var present = await PresentAsync(connection, batch.Keys, ct);
        if (present.Count == batch.Count)
        {
            return (0, present.Count);
        }

        await using var transaction = await connection.BeginTransactionAsync(ct);
        await ExecuteAsync(connection, "create temporary table import_stage (id varchar, event_id uuid, event_data jsonb, doc_data jsonb) on commit drop", ct);
        await using (var copy = await connection.BeginBinaryImportAsync("COPY import_stage (id, event_id, event_data, doc_data) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var (nhs, optedOutAt) in batch)
            {
                if (present.Contains(nhs))
                {
                    continue;
                }

                var set = new NationalDataOptOutSet(NhsNumber.Parse(nhs), Guid.CreateVersion7(now), by, Channel.Migrated, null, optedOutAt, now);
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(nhs, NpgsqlTypes.NpgsqlDbType.Varchar, ct);
                await copy.WriteAsync(Guid.CreateVersion7(now), NpgsqlTypes.NpgsqlDbType.Uuid, ct);
                await copy.WriteAsync(serializer.ToJson(set), NpgsqlTypes.NpgsqlDbType.Jsonb, ct);
                await copy.WriteAsync(serializer.ToJson(PatientPreferences.Empty(nhs).After([set])), NpgsqlTypes.NpgsqlDbType.Jsonb, ct);
            }

            await copy.CompleteAsync(ct);
        }

        // One statement: the streams that are new (a number already present, from an earlier run or a concurrent batch,
        // is skipped by the key), then their events and snapshots, in key order so each index is written page by page.
        var s = names.Schema;
        await using var insert = new NpgsqlCommand($"""
            with fresh as (
              insert into {s}.mt_streams (id, type, version, timestamp, created)
              select id, 'patient_preferences', 1, now(), now() from import_stage order by id
              on conflict (id) do nothing returning id),
            staged as (select g.* from import_stage g join fresh using (id)),
            events as (
              insert into {s}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, mt_dotnet_type)
              select nextval('{s}.mt_events_sequence'), event_id, id, 1, event_data, '{Records.StoredEvents.NationalSet.Name}', now(),
                '{typeof(NationalDataOptOutSet).FullName}, {typeof(NationalDataOptOutSet).Assembly.GetName().Name}'
              from staged order by id
              returning seq_id, {Audit.EventDigests.Sql("")} digest),
            snapshots as (
              insert into {names.Snapshots} (id, data, mt_last_modified, mt_dotnet_type, mt_version, {names.NationalColumn}, {names.Type1Column})
              select id, doc_data, now(), '{typeof(PatientPreferences).FullName}', 1, true, false from staged order by id)
            select coalesce(array_agg(seq_id order by seq_id), array[]::bigint[]), coalesce(array_agg(digest order by seq_id), array[]::bytea[]) from events
            """, connection);
        long[] sequences;
        byte[][] digests;
        await using (var reader = await insert.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            (sequences, digests) = (reader.GetFieldValue<long[]>(0), reader.GetFieldValue<byte[][]>(1));
        }

        if (sequences.Length > 0)
        {
            await RecordBatchAsync(connection, by, importId, sequences, digests, ct);
        }

        await transaction.CommitAsync(ct);
        return (sequences.Length, batch.Count - sequences.Length);
    }

    /// <summary>The batch's audit record, in its transaction: the leader chains it as it chains a change's.</summary>
    private async Task RecordBatchAsync(NpgsqlConnection connection, DecisionMaker by, string importId, long[] sequences, byte[][] digests, CancellationToken ct)
    {
        var details = new System.Text.Json.Nodes.JsonObject { ["importId"] = importId, ["imported"] = sequences.Length };
        Audit.EventDigests.Name(details, sequences, digests);
        var record = new Audit.AuditRecord("change", "import national data opt-outs", by.ActorId, "system", null, null, StatusCodes.Status200OK,
            "import-" + importId, details.ToJsonString()).Storable();
        await using var command = new NpgsqlCommand(
            $"insert into {audit.Pending} (record, event_ids, stream_ids) values (@record::jsonb, array[]::uuid[], array[]::text[])", connection);
        command.Parameters.AddWithValue("record", System.Text.Json.JsonSerializer.Serialize(record));
        await command.ExecuteNonQueryAsync(ct);
    }

    private async Task<HashSet<string>> PresentAsync(NpgsqlConnection connection, IEnumerable<string> ids, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"select id from {names.Schema}.mt_streams where id = any(@ids)", connection);
        command.Parameters.AddWithValue("ids", ids.ToArray());
        var present = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            present.Add(reader.GetString(0));
        }

        return present;
    }

    /// <summary>
    /// A plain date is the start of that day in the UK, where the form was signed; anything else must be an instant with
    /// its offset (a time without one is an hour out for half the year, and 07/12/2021 is read as July by .NET).
    /// </summary>
    private static DateTimeOffset? OptedOutAt(string text) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? Contracts.UkCalendar.StartOf(day)
        : Contracts.Instants.TryParse(text, out var at, out _) ? at : null;

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteNonQueryAsync(ct);
    }
}

/// <summary>A file refused whole before any row of it is imported (a header that does not name the columns), with the reason.</summary>
public sealed class ImportRefusedException(string reason) : Exception(reason);
