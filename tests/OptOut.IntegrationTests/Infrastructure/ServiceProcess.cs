using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace OptOut.IntegrationTests.Infrastructure;

/// <summary>
/// The service as operators run it: its own process (the built OptOut.Api.dll), listening on a port of
/// its own, so a test can kill it with SIGKILL or run two of them against one database.
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TestSettings _settings;

    private ServiceProcess(Process process, Uri address, TestSettings settings)
    {
        _process = process;
        Address = address;
        _settings = settings;
        process.OutputDataReceived += (_, line) => Keep(line.Data);
        process.ErrorDataReceived += (_, line) => Keep(line.Data);
    }

    public Uri Address { get; }

    public string Name { get; private init; } = "";

    /// <summary>The last lines the service wrote, for a failing test's message.</summary>
    public string Output => string.Join('\n', _output);

    /// <param name="name">Also the PostgreSQL application_name of its connections, so a test can tell which instance holds a lock.</param>
    /// <param name="overrides">Settings that differ from the tests' usual ones, such as tight limits.</param>
    /// <param name="launch">How to start it with these settings, when not as the built OptOut.Api.dll (from its image, say).</param>
    public static async Task<ServiceProcess> StartAsync(
        TestSettings settings, string connectionString, Uri rabbitMq, string name, IReadOnlyDictionary<string, string>? overrides = null,
        Func<IReadOnlyDictionary<string, string>, ProcessStartInfo>? launch = null)
    {
        connectionString = new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { ApplicationName = name }.ConnectionString;
        var address = new Uri($"http://127.0.0.1:{TestServers.FreeTcpPort()}");
        var environment = new Dictionary<string, string>
        {
            ["Urls"] = address.ToString(),
            // Development: the tests' tokens are signed with a development key, which the service refuses anywhere else.
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Logging__Console__FormatterName"] = "simple",
        };
        foreach (var (key, value) in settings.For(connectionString, rabbitMq).Concat(overrides ?? new Dictionary<string, string>()))
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var start = launch?.Invoke(environment) ?? BuiltService(environment);
        var service = new ServiceProcess(new Process { StartInfo = start }, address, settings) { Name = name };
        service._process.Start();
        service._process.BeginOutputReadLine();
        service._process.BeginErrorReadLine();
        await service.WaitUntilReadyAsync();
        return service;
    }

    private static ProcessStartInfo BuiltService(IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "OptOut.Api.dll")])
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return start;
    }

    public HttpClient As(string role, string? nhsNumber = null, string? subject = null) => Client(_settings.Token(role, nhsNumber, subject));

    public HttpClient Client(string? token = null)
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    /// <summary>SIGKILL: no shutdown hooks, no flushing, no goodbye to the database or the broker.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, as a service manager stops it: the host's shutdown runs, and this waits until the process has gone.</summary>
    public async Task StopAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>Waits until readiness answers 200, or fails with what the service wrote.</summary>
    public Task WaitUntilReadyAsync() => ReadinessAsync(HttpStatusCode.OK);

    /// <summary>Polls readiness until it answers <paramref name="expected"/>, and returns its body; fails with what the service wrote.</summary>
    public async Task<string> ReadinessAsync(HttpStatusCode expected)
    {
        using var client = Client();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The service exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                var response = await client.GetAsync("/health/ready");
                if (response.StatusCode == expected)
                {
                    return await response.Content.ReadAsStringAsync();
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"Readiness at {Address} never answered {expected}:\n{Output}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 300)
        {
            _output.TryDequeue(out _);
        }
    }
}
