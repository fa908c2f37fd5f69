using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using OptOut.Http;
using OptOut.NhsNumbers;
using OptOut.Records;
using OptOut.Security;

namespace OptOut.PipelineChecks;

/// <summary>
/// One bulk check once its question is settled: the list read as it arrives, each batch decided, the kept numbers spooled
/// and then sent, and the summary (counts and the list's hash, never the numbers) stored whatever happens.
/// </summary>
internal sealed class BulkCheckRun(HttpContext http, BulkCheckServices services, DecisionQuestion question, CheckScope scope, ICheckRules rules, DateTimeOffset? asOf, string? legalBasis)
{
    private const int Batch = 8192;

    private readonly HttpContext _http = http;
    private readonly BulkCheckServices _services = services;
    private readonly DecisionQuestion _question = question;
    private readonly CheckScope _scope = scope;
    private readonly ICheckRules _rules = rules;
    private readonly DateTimeOffset? _asOf = asOf;
    private readonly string? _legalBasis = legalBasis;

    public async Task<IResult> AnswerAsync(string mediaType, CancellationToken ct)
    {
        var reader = _http.Request.BodyReader;
        var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await ListStart.SkipByteOrderMarkAsync(reader, hash, ct);
        var column = -1;
        if (mediaType == "text/csv" && !ListStart.TryColumnOf(await ListStart.ReadLineAsync(reader, hash, ct), out column, out var wrongHeader))
        {
            return Problems.Of(Problems.InvalidBody, wrongHeader);
        }

        var check = NewCheck();

        // The kept numbers are spooled to a temporary file and sent once the list has been read: many HTTP/1.1
        // clients (.NET's HttpClient, Python's requests) read no answer until they have sent the whole body, so
        // answering while reading would fill both directions' buffers and stall. Memory stays flat; disk holds the answer.
        await using var spool = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16,
            FileOptions.DeleteOnClose | FileOptions.Asynchronous | FileOptions.SequentialScan);
        try
        {
            await ReadAndDecideAsync(reader, spool, hash, column, check, ct);
            return NothingCheckable(check) ?? await SendAsync(spool, check, ct);
        }
        catch (Exception ex) when (ex is BadHttpRequestException or ListTooLongException)
        {
            // The answer has started, so the list's end is cut off rather than answered with a problem; the summary says why.
            check.Status = ex is ListTooLongException ? $"failed: more than {_services.Options.Value.MaxLines} lines" : "failed: " + ex.Message;
            _http.Abort();
            return Results.Empty;
        }
        finally
        {
            await SaveAsync(check, hash);
        }
    }

    private OptOutCheck NewCheck() => new()
    {
        Id = Guid.CreateVersion7().ToString(),
        Caller = Caller.From(_http.User).Subject,
        Purpose = _question.Purpose,
        DataSource = _question.DataSource,
        LegalBasis = _legalBasis,
        AsOf = _asOf,
        RuleSet = _scope.Describe(),
        Sequence = _rules.Sequence,
        StartedAt = _services.Clock.GetUtcNow(),
    };

    private async Task ReadAndDecideAsync(PipeReader reader, FileStream spool, IncrementalHash hash, int column, OptOutCheck check, CancellationToken ct)
    {
        var spoolWriter = PipeWriter.Create(spool, new StreamPipeWriterOptions(leaveOpen: true));
        await RunAsync(reader, spoolWriter, hash, column, _rules, check, _services.Options.Value, ct);
        await spoolWriter.CompleteAsync();
        check.SubmittedSha256 = Convert.ToHexString(hash.GetHashAndReset());
        _services.Metrics.BulkCheckNumbers.Add(check.Received);
        _http.Items[Audit.AuditMiddleware.DetailsItem] = new Dictionary<string, object?>
        {
            ["checkId"] = check.Id, ["received"] = check.Received, ["kept"] = check.Kept, ["removed"] = check.Removed,
            ["invalid"] = check.Invalid, ["listSha256"] = check.SubmittedSha256, ["sequence"] = check.Sequence,
        };
    }

    /// <summary>Nothing checkable is not an empty success: a pipeline piping the answer on would pass on an empty list.</summary>
    private static ProblemHttpResult? NothingCheckable(OptOutCheck check)
    {
        if (check.Received != check.Invalid)
        {
            return null;
        }

        check.Status = "refused: no valid NHS number";
        return Problems.Of(Problems.NoValidNhsNumber, check.Received == 0
            ? "The list holds no NHS numbers. Send one per line, a trailing comma allowed, or a CSV with an nhsNumber column."
            : $"None of the {check.Received} lines holds a valid NHS number; the first: line {check.FirstInvalid[0].Line}, {check.FirstInvalid[0].Reason}");
    }

    private async Task<IResult> SendAsync(FileStream spool, OptOutCheck check, CancellationToken ct)
    {
        _http.Response.StatusCode = 200;
        _http.Response.ContentType = "text/plain; charset=utf-8";
        _http.Response.Headers.Location = $"/v1/opt-out-checks/{check.Id}";
        _http.Response.Headers["X-Check-Id"] = check.Id;
        _http.Response.Headers["X-Index-Sequence"] = check.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture);
        spool.Position = 0;
        await spool.CopyToAsync(_http.Response.Body, 1 << 16, ct);
        check.Status = "completed";
        return Results.Empty;
    }

    /// <summary>The summary is kept whatever happened, with the hash of as much of the list as was read.</summary>
    private async Task SaveAsync(OptOutCheck check, IncrementalHash hash)
    {
        check.FinishedAt = _services.Clock.GetUtcNow();
        if (check.SubmittedSha256.Length == 0)
        {
            check.SubmittedSha256 = Convert.ToHexString(hash.GetHashAndReset());
        }

        await using var session = _services.Store.LightweightSession();
        session.Store(check);
        await session.SaveChangesAsync(CancellationToken.None);
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

    private sealed class ListTooLongException : Exception;
}
