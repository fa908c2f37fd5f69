using System.Collections.Concurrent;
using System.Diagnostics;

namespace OptOut.IntegrationTests.Infrastructure;

/// <summary>The audit log's witness as operators run it: the built OptOut.Witness.dll, its own key and state folder.</summary>
public sealed class WitnessProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private WitnessProcess(Process process, Uri address, string stateDirectory)
    {
        _process = process;
        Address = address;
        StateDirectory = stateDirectory;
        process.OutputDataReceived += (_, line) => Keep(line.Data);
        process.ErrorDataReceived += (_, line) => Keep(line.Data);
    }

    public Uri Address { get; }

    public string StateDirectory { get; }

    public string VerifierKey { get; private set; } = "";

    public string Output => string.Join('\n', _output);

    /// <summary>Starts a witness of the log whose verifier key is <paramref name="logVerifierKey"/>.</summary>
    public static async Task<WitnessProcess> StartAsync(string logVerifierKey)
    {
        var address = new Uri($"http://127.0.0.1:{TestServers.FreeTcpPort()}/");
        var state = Path.Combine(Path.GetTempPath(), "optout-witness-" + Guid.NewGuid().ToString("N"));
        var folder = Path.Combine(Repository.Root, "src", "OptOut.Witness");
        var start = new ProcessStartInfo("dotnet", [Path.Combine(folder, "bin", Configuration, "net10.0", "OptOut.Witness.dll")])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ASPNETCORE_URLS"] = address.ToString().TrimEnd('/');
        start.Environment["Witness__Name"] = "test.example/witness";
        start.Environment["Witness__StateDirectory"] = state;
        start.Environment["Witness__Logs__0"] = logVerifierKey;
        start.Environment["Logging__Console__FormatterName"] = "simple";
        var witness = new WitnessProcess(new Process { StartInfo = start }, address, state);
        witness._process.Start();
        witness._process.BeginOutputReadLine();
        witness._process.BeginErrorReadLine();
        using var client = new HttpClient { BaseAddress = address };
        for (var attempt = 0; attempt < 150 && witness.VerifierKey.Length == 0; attempt++)
        {
            try
            {
                witness.VerifierKey = (await client.GetStringAsync("key")).Trim();
            }
            catch (HttpRequestException)
            {
                Assert.False(witness._process.HasExited, "the witness exited: " + witness.Output);
                await Task.Delay(200);
            }
        }

        Assert.NotEmpty(witness.VerifierKey);
        return witness;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        if (Directory.Exists(StateDirectory))
        {
            Directory.Delete(StateDirectory, recursive: true);
        }
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
            while (_output.Count > 200 && _output.TryDequeue(out _))
            {
            }
        }
    }

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif
}
