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
    public const string Usage = "optout check FILE [--purpose research] [--data-source hospital] [--legal-basis B] [--as-of T] [--url http://127.0.0.1:5080] [--token JWT]";

    public static async Task<int> RunAsync(string? path, Arguments args, Stream output, TextWriter error)
    {
        if (path is null || !File.Exists(path))
        {
            await error.WriteLineAsync(path is null ? "usage: " + Usage : $"optout check: no such file: {path}");
            return 2;
        }

        var token = args.Value("--token") ?? Environment.GetEnvironmentVariable("OPTOUT_TOKEN") ?? DevelopmentToken();
        if (token is null)
        {
            await error.WriteLineAsync("optout check: give --token or OPTOUT_TOKEN (a pipeline token), or run through infra/optout.");
            return 2;
        }

        var query = $"purpose={Uri.EscapeDataString(args.Value("--purpose") ?? "research")}&dataSource={Uri.EscapeDataString(args.Value("--data-source") ?? "hospital")}"
                    + (args.Value("--legal-basis") is { } basis ? $"&legalBasis={Uri.EscapeDataString(basis)}" : "")
                    + (args.Value("--as-of") is { } asOf ? $"&asOf={Uri.EscapeDataString(asOf)}" : "");
        using var http = new HttpClient { BaseAddress = new Uri(args.Value("--url") ?? "http://127.0.0.1:5080"), Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        await using var file = File.OpenRead(path);
        var clock = Stopwatch.StartNew();
        var content = new StreamContent(new ProgressStream(file, error, clock));
        content.Headers.ContentType = new MediaTypeHeaderValue(Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".csv" => "text/csv",
            ".dat" => "application/octet-stream",
            _ => "text/plain",
        });

        // Headers first: the service answers while the list is still uploading, so the answer must be read as it comes.
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/opt-out-checks?{query}") { Content = content };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode)
        {
            await error.WriteLineAsync($"\noptout check: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            return 1;
        }

        await (await response.Content.ReadAsStreamAsync()).CopyToAsync(output);
        await output.FlushAsync();
        var summary = await http.GetStringAsync(response.Headers.Location);
        await error.WriteLineAsync($"\noptout check: done in {clock.Elapsed.TotalSeconds:F1} s\n{summary}");
        return 0;
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
