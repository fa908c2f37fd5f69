using System.CommandLine;
using System.Diagnostics;
using System.Net.Http.Headers;
using OptOut.Cli.Tokens;

namespace OptOut.Cli.Checks;

/// <summary>
/// Streams a file of NHS numbers to the service's bulk check and writes the numbers that may be used to
/// stdout, with progress and the summary on stderr: `optout check extract.txt > may-use.txt`.
/// </summary>
public static class CheckCommand
{
    public static Command Create(Func<Stream> output, TextWriter error)
    {
        var file = new Argument<FileInfo>("FILE") { Description = "NHS numbers one per line (.txt), MESH .dat (trailing commas), or .csv with an nhsNumber column." };
        file.AcceptExistingOnly();
        // No defaults for what the data is and why it is wanted: a question that does not say is refused, never guessed.
        var purpose = new Option<string>("--purpose") { Description = "Why the data is wanted (a catalogue purpose, e.g. research, planning).", Required = true };
        var dataSource = new Option<string>("--data-source") { Description = "Where the data comes from (a catalogue data source, e.g. gp, hospital).", Required = true };
        var legalBasis = new Option<string>("--legal-basis") { Description = "The legal basis relied on, if any (e.g. section-251)." };
        var asOf = new Option<DateTimeOffset?>("--as-of")
        {
            Description = "Answer as OptOut knew it then (" + Contracts.Instants.Shape + ").",
            // System.CommandLine's own reading takes 07/12/2026 as 12 July; the API's one strict reader refuses it.
            CustomParser = r => Contracts.Instants.TryParse(r.Tokens[0].Value, out var at, out var why) ? at : Refuse<DateTimeOffset?>(r, $"--as-of: '{r.Tokens[0].Value}' {why}."),
        };
        var url = new Option<Uri>("--url")
        {
            Description = "The service's address (http or https).",
            DefaultValueFactory = _ => new Uri("http://127.0.0.1:5080"),
            CustomParser = r => Uri.TryCreate(r.Tokens[0].Value, UriKind.Absolute, out var u) && u.Scheme is "http" or "https"
                ? u
                : Refuse<Uri>(r, $"--url: '{r.Tokens[0].Value}' is not an absolute http or https address."),
        };
        var token = new Option<string>("--token") { Description = "A pipeline token (or OPTOUT_TOKEN); infra/optout mints a development one." };

        var command = new Command("check", "Stream a list of NHS numbers to the bulk check; the numbers that may be used go to stdout, progress and the summary to stderr.")
        {
            file, purpose, dataSource, legalBasis, asOf, url, token,
        };
        command.SetAction(async (parsed, ct) =>
        {
            var bearer = parsed.GetValue(token) ?? Environment.GetEnvironmentVariable("OPTOUT_TOKEN") ?? DevelopmentToken();
            if (bearer is null)
            {
                await error.WriteLineAsync("optout check: give --token or OPTOUT_TOKEN (a pipeline token), or run it as infra/optout check.");
                return ExitCodes.Usage;
            }

            var path = parsed.GetValue(file)!;
            if (path.Length == 0)
            {
                await error.WriteLineAsync($"optout check: {path.Name} is empty: there is nothing to check.");
                return ExitCodes.Input;
            }

            var query = $"purpose={Uri.EscapeDataString(parsed.GetValue(purpose)!)}&dataSource={Uri.EscapeDataString(parsed.GetValue(dataSource)!)}"
                        + (parsed.GetValue(legalBasis) is { } basis ? $"&legalBasis={Uri.EscapeDataString(basis)}" : "")
                        + (parsed.GetValue(asOf) is { } at ? $"&asOf={Uri.EscapeDataString(at.ToString("O", System.Globalization.CultureInfo.InvariantCulture))}" : "");
            try
            {
                return await SendAsync(parsed.GetValue(url)!, bearer, path, query, output, error, ct);
            }
            catch (HttpRequestException ex)
            {
                await error.WriteLineAsync($"\noptout check: could not reach {parsed.GetValue(url)}: {ex.Message}");
                return ExitCodes.Unreachable;
            }
            catch (IOException ex)
            {
                await error.WriteLineAsync($"\noptout check: the connection to {parsed.GetValue(url)} broke: {ex.Message}");
                return ExitCodes.Unreachable;
            }
        });
        return command;
    }

    private static async Task<int> SendAsync(Uri url, string token, FileInfo path, string query, Func<Stream> output, TextWriter error, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = url, Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        await using var file = path.OpenRead();
        var clock = Stopwatch.StartNew();
        var content = new StreamContent(new ProgressStream(file, error, clock));
        content.Headers.ContentType = new MediaTypeHeaderValue(path.Extension.ToLowerInvariant() switch
        {
            ".csv" => "text/csv",
            ".dat" => "application/octet-stream",
            _ => "text/plain",
        });

        // Headers first: the answer is read as it comes.
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/opt-out-checks?{query}") { Content = content };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (!response.IsSuccessStatusCode)
        {
            await error.WriteLineAsync($"\noptout check: refused, {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}");
            return ExitCodes.Refused;
        }

        // Only a successful answer reaches stdout, so a pipe never mistakes an error for a list.
        await using var stdout = output();
        await (await response.Content.ReadAsStreamAsync(ct)).CopyToAsync(stdout, ct);
        await stdout.FlushAsync(ct);
        var summary = await http.GetStringAsync(response.Headers.Location, ct);
        await error.WriteLineAsync($"\noptout check: done in {clock.Elapsed.TotalSeconds:F1} s\n{summary}");
        return ExitCodes.Done;
    }

    private static T? Refuse<T>(System.CommandLine.Parsing.ArgumentResult result, string why)
    {
        result.AddError(why);
        return default;
    }

    private static string? DevelopmentToken()
    {
        var key = Environment.GetEnvironmentVariable("Auth__DevelopmentSigningKey");
        return string.IsNullOrEmpty(key) ? null
            : TokenCommand.Mint(key, new Dictionary<string, object> { ["role"] = "pipeline", ["sub"] = "optout-cli" }, TimeSpan.FromHours(2));
    }

    /// <summary>Reports how much of the file has been sent, at most twice a second.</summary>
    private sealed class ProgressStream(Stream inner, TextWriter error, Stopwatch clock) : Stream
    {
        private long _sent;
        private TimeSpan _reported;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position { get => _sent; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Count(int read)
        {
            _sent += read;
            if (clock.Elapsed - _reported > TimeSpan.FromMilliseconds(500) || read == 0)
            {
                _reported = clock.Elapsed;
                error.Write($"\roptout check: sent {_sent / 1048576.0:F1} of {inner.Length / 1048576.0:F1} MiB ({100.0 * _sent / Math.Max(1, inner.Length):F0}%)");
            }

            return read;
        }
    }
}
