using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Marten;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Npgsql;
using OptOut.Security;
using OptOut.Records;
using OptOut.NhsNumbers;
using OptOut.EventStore;
using OptOut.Indexing;
using OptOut.Http;

namespace OptOut.PipelineChecks;

/// <summary>
/// POST /v1/opt-out-checks: a list of NHS numbers in, the ones that may be used out, in input order.
/// The list is streamed and the answer spooled, so memory does not grow with the list. Invalid numbers are never returned.
/// </summary>
public static class BulkCheckEndpoint
{
    private const int Batch = 8192;
    private static readonly string[] Accepted = ["text/plain", "text/csv", "application/octet-stream"];

    public static void MapBulkCheck(this IEndpointRouteBuilder api) =>
        api.MapPost("/opt-out-checks", Handle)
            .WithName("CheckOptOuts")
            .WithSummary("Stream NHS numbers (text/plain one per line, MESH .dat with trailing commas, or text/csv with a header naming the nhsNumber column); get back, in order, those that may be used.")
            .WithDescription("The response carries the check id in Location; GET it for the summary. asOf answers from the event history; minSequence demands a current answer reflecting at least that event (503 otherwise).")
            .Accepts<string>("text/plain", "text/csv", "application/octet-stream")
            .Produces<string>(200, "text/plain")
            .ProducesProblem(400).ProducesProblem(413).ProducesProblem(415).ProducesProblem(422).ProducesProblem(503)
            .RequireAuthorization(p => p.RequireRole(Roles.Pipeline, Roles.Admin))
            .WithRequestTimeout(Http.RequestTimeLimits.LongRunning);

    private static async Task<IResult> Handle(
        HttpContext http, string? purpose, string? dataSource, string? legalBasis, string? asOf, long? minSequence,
        IOptions<ChoiceCatalogue> catalogue, IOptions<OptOutCheckOptions> options, IOptions<OptOutIndexOptions> indexOptions,
        OptOutIndex index, NpgsqlDataSource database, EventStoreNames names, IDocumentStore store, Hosting.OptOutMetrics metrics, TimeProvider clock, CancellationToken ct)
    {
        if (Records.DecisionQuestion.From(catalogue.Value, purpose, dataSource, legalBasis, out var wrong) is not { } question)
        {
            return Problems.Of(Problems.InvalidQuery, wrong!);
        }

        if (question.PurposeDefinition.RequiresConsent)
        {
            return Problems.Of(Problems.InvalidQuery, "This purpose needs each patient's explicit consent, which a bulk opt-out check does not weigh. Ask /v1/decisions per patient.");
        }

        if (!Instants.TryParse(asOf, out var asOfAt) || asOfAt > clock.GetUtcNow())
        {
            return Problems.Of(Problems.InvalidQuery, "asOf is an ISO 8601 date-time with an offset, not in the future.");
        }

        var mediaType = http.Request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        if (mediaType is null || !Accepted.Contains(mediaType))
        {
            return Problems.Of(Problems.UnsupportedMediaType, "Send text/plain (one NHS number per line, a trailing comma allowed), text/csv with a header, or application/octet-stream (MESH .dat).");
        }

        if (http.Request.ContentLength > options.Value.MaxBodyBytes)
        {
            return Problems.Of(Problems.ContentTooLarge, $"A bulk check accepts at most {options.Value.MaxBodyBytes} bytes; split the list.");
        }

        // Kestrel's 30 MB default protects other endpoints; this one exists to take large lists.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = options.Value.MaxBodyBytes;
        }

        var scope = CheckScope.For(question);
        ICheckRules rules;
        if (asOfAt is { } at)
        {
            rules = new HistoryCheckRules(database, names, scope, at, index.Sequence);
        }
        else
        {
            if (await IndexReads.AwaitAsync(index, minSequence, index.LastAcknowledged, indexOptions.Value.MaxWait, ct) is { } behind)
            {
                return behind;
            }

            rules = new IndexCheckRules(index, scope);
        }

        var reader = http.Request.BodyReader;
        var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var column = -1;
        if (mediaType == "text/csv")
        {
            var header = await ReadLineAsync(reader, hash, ct);
            column = header is null ? -1 : ColumnOf(header);
            if (column < 0)
            {
                return Problems.Of(Problems.InvalidBody, "A text/csv list starts with a header row naming its nhsNumber column (nhsNumber, nhs_number or NHS Number).");
            }
        }

        var check = new OptOutCheck
        {
            Id = Guid.CreateVersion7().ToString(),
            Caller = Caller.From(http.User).Subject,
            Purpose = question.Purpose,
            DataSource = question.DataSource,
            LegalBasis = legalBasis,
            AsOf = asOfAt,
            RuleSet = scope.Describe(),
            Sequence = rules.Sequence,
            StartedAt = clock.GetUtcNow(),
        };

        // The kept numbers are spooled to a temporary file and sent once the list has been read: many HTTP/1.1
        // clients (.NET's HttpClient, Python's requests) read no answer until they have sent the whole body, so
        // answering while reading would fill both directions' buffers and stall. Memory stays flat; disk holds the answer.
        await using var spool = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16,
            FileOptions.DeleteOnClose | FileOptions.Asynchronous | FileOptions.SequentialScan);
        try
        {
            var spoolWriter = PipeWriter.Create(spool, new StreamPipeWriterOptions(leaveOpen: true));
            await RunAsync(reader, spoolWriter, hash, column, rules, check, options.Value, ct);
            await spoolWriter.CompleteAsync();
            check.SubmittedSha256 = Convert.ToHexString(hash.GetHashAndReset());
            metrics.BulkCheckNumbers.Add(check.Received);
            http.Items[Audit.AuditMiddleware.DetailsItem] = new Dictionary<string, object?>
            {
                ["checkId"] = check.Id, ["received"] = check.Received, ["kept"] = check.Kept, ["removed"] = check.Removed,
                ["invalid"] = check.Invalid, ["listSha256"] = check.SubmittedSha256, ["sequence"] = check.Sequence,
            };
            if (check.Received == check.Invalid)
            {
                // Nothing checkable is not an empty success: a pipeline piping the answer on would pass on an empty list.
                check.Status = "refused: no valid NHS number";
                return Problems.Of(Problems.NoValidNhsNumber, check.Received == 0
                    ? "The list holds no NHS numbers. Send one per line, a trailing comma allowed, or a CSV with an nhsNumber column."
                    : $"None of the {check.Received} lines holds a valid NHS number; the first: line {check.FirstInvalid[0].Line}, {check.FirstInvalid[0].Reason}");
            }

            http.Response.StatusCode = 200;
            http.Response.ContentType = "text/plain; charset=utf-8";
            http.Response.Headers.Location = $"/v1/opt-out-checks/{check.Id}";
            http.Response.Headers["X-Check-Id"] = check.Id;
            http.Response.Headers["X-Index-Sequence"] = check.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture);
            spool.Position = 0;
            await spool.CopyToAsync(http.Response.Body, 1 << 16, ct);
            check.Status = "completed";
        }
        catch (Exception ex) when (ex is BadHttpRequestException or ListTooLongException)
        {
            // The answer has started, so the list's end is cut off rather than answered with a problem; the summary says why.
            check.Status = ex is ListTooLongException ? $"failed: more than {options.Value.MaxLines} lines" : "failed: " + ex.Message;
            http.Abort();
        }
        finally
        {
            check.FinishedAt = clock.GetUtcNow();
            if (check.SubmittedSha256.Length == 0)
            {
                check.SubmittedSha256 = Convert.ToHexString(hash.GetHashAndReset());
            }

            await using var session = store.LightweightSession();
            session.Store(check);
            await session.SaveChangesAsync(CancellationToken.None);
        }

        return Results.Empty;
    }

    private static async Task RunAsync(PipeReader reader, PipeWriter writer, IncrementalHash hash, int column, ICheckRules rules, OptOutCheck check, OptOutCheckOptions options, CancellationToken ct)
    {
        var bases = new List<int>(Batch);
        var optedOut = new bool[Batch];
        long line = column >= 0 ? 1 : 0;
        while (true)
        {
            var result = await reader.ReadAsync(ct);
            var buffer = result.Buffer;
            var consumed = Consume(ref buffer, result.IsCompleted, hash, column < 0 ? Plain : null, bytes =>
            {
                NextLines(1);
                switch (NhsNumberLine.Parse(bytes, column, out var nhsBase, out var reason))
                {
                    case NhsNumberLine.Outcome.Valid:
                        check.Received++;
                        bases.Add(nhsBase);
                        break;
                    case NhsNumberLine.Outcome.Invalid:
                        check.Received++;
                        check.Invalid++;
                        if (check.FirstInvalid.Count < options.InvalidLinesReported)
                        {
                            check.FirstInvalid.Add(new InvalidLine(line, reason!));
                        }

                        break;
                }
            });
            reader.AdvanceTo(consumed, buffer.End);

            if (bases.Count >= Batch - 1024 || result.IsCompleted)
            {
                await FlushAsync(bases, optedOut, rules, writer, check, ct);
            }

            if (result.IsCompleted)
            {
                break;
            }
        }

        await writer.FlushAsync(ct);

        // The common shape, ten digits and a newline, parsed a run at a time straight into the batch, without the general
        // line's trimming and field search.
        int Plain(ReadOnlySpan<byte> span)
        {
            var held = bases.Count;
            CollectionsMarshal.SetCount(bases, held + (span.Length / 11));
            var parsed = NhsNumber.ParseDigitLines(span, CollectionsMarshal.AsSpan(bases)[held..]);
            CollectionsMarshal.SetCount(bases, held + parsed);
            NextLines(parsed);
            check.Received += parsed;
            return parsed * 11;
        }

        void NextLines(int count)
        {
            if ((line += count) > options.MaxLines)
            {
                throw new ListTooLongException();
            }
        }
    }

    /// <summary>Hands every complete line (and, at the end, the last unterminated one) to <paramref name="onLine"/>.</summary>
    /// <remarks><paramref name="fast"/> takes what it can of a run of lines and says how many bytes it took; the rest go one by one.</remarks>
    private static SequencePosition Consume(ref ReadOnlySequence<byte> buffer, bool completed, IncrementalHash hash, SpanTaker? fast, SpanAction onLine)
    {
        var sequence = new SequenceReader<byte>(buffer);
        var start = sequence.Position;
        while (true)
        {
            if (fast is not null)
            {
                sequence.Advance(fast(sequence.UnreadSpan));
            }

            if (!sequence.TryReadTo(out ReadOnlySpan<byte> line, (byte)'\n'))
            {
                break;
            }

            onLine(line);
        }

        if (completed && !sequence.End)
        {
            var rest = buffer.Slice(sequence.Position);
            onLine(rest.IsSingleSegment ? rest.FirstSpan : rest.ToArray());
            sequence.AdvanceToEnd();
        }

        foreach (var segment in buffer.Slice(start, sequence.Position))
        {
            hash.AppendData(segment.Span);
        }

        return sequence.Position;
    }

    private delegate void SpanAction(ReadOnlySpan<byte> line);

    private delegate int SpanTaker(ReadOnlySpan<byte> span);

    private static async Task FlushAsync(List<int> bases, bool[] optedOut, ICheckRules rules, PipeWriter writer, OptOutCheck check, CancellationToken ct)
    {
        if (bases.Count == 0)
        {
            return;
        }

        // One read of the request can hold more lines than a batch; the answers grow to fit it.
        if (optedOut.Length < bases.Count)
        {
            optedOut = new bool[bases.Count];
        }

        await rules.DecideAsync(bases, optedOut, ct);
        Write(bases, optedOut, writer, check);
        bases.Clear();
        await writer.FlushAsync(ct);
    }

    private static void Write(List<int> bases, bool[] optedOut, PipeWriter writer, OptOutCheck check)
    {
        var span = writer.GetSpan(bases.Count * 11);
        var written = 0;
        for (var i = 0; i < bases.Count; i++)
        {
            if (!optedOut[i])
            {
                NhsNumber.TryWriteAscii(bases[i], span.Slice(written, 10));
                span[written + 10] = (byte)'\n';
                written += 11;
            }
        }

        writer.Advance(written);
        check.Kept += written / 11;
        check.Removed += bases.Count - (written / 11);
    }

    private static async Task<string?> ReadLineAsync(PipeReader reader, IncrementalHash hash, CancellationToken ct)
    {
        while (true)
        {
            var result = await reader.ReadAsync(ct);
            var buffer = result.Buffer;
            var newline = buffer.PositionOf((byte)'\n');
            if (newline is not null || result.IsCompleted)
            {
                var lineEnd = newline is { } n ? buffer.GetPosition(1, n) : buffer.End;
                var header = buffer.Slice(0, lineEnd);
                foreach (var segment in header)
                {
                    hash.AppendData(segment.Span);
                }

                var text = Encoding.UTF8.GetString(header.ToArray());
                reader.AdvanceTo(lineEnd);
                return text.Length == 0 ? null : text;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static int ColumnOf(string header)
    {
        var names = header.TrimEnd('\r', '\n').Split(',');
        for (var i = 0; i < names.Length; i++)
        {
            var name = names[i].Trim().Trim('"').Replace(" ", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal);
            if (name.Equals("nhsnumber", StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    private sealed class ListTooLongException : Exception;
}
