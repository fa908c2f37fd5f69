using System.Diagnostics;
using Microsoft.Playwright;
using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.Browser;

/// <summary>
/// Everything a patient's browser reaches, as operators run it: the API, the local sign-in service and the pages,
/// each its own process on a port of its own, with a database of their own; and Debian's Chromium, driven by
/// Playwright (no browser download).
/// </summary>
public sealed class BrowserJourneys : IAsyncLifetime
{
    private readonly List<Process> _processes = [];
    private TestDatabase? _database;
    private IPlaywright? _playwright;

    public TestSettings Settings { get; } = new();

    public TestServers Servers { get; private set; } = null!;

    public ServiceProcess Api { get; private set; } = null!;

    public Uri Web { get; private set; } = null!;

    /// <summary>The local sign-in service (OpenIddict), standing in for NHS login.</summary>
    public Uri Identity { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public TestDatabase Database => _database!;

    public async Task InitializeAsync()
    {
        Servers = await TestServers.StartAsync();
        _database = await TestDatabase.CreateAsync(Servers);
        var identity = Identity = new Uri($"http://127.0.0.1:{TestServers.FreeTcpPort()}/");
        Web = new Uri($"http://127.0.0.1:{TestServers.FreeTcpPort()}");
        await StartAsync("OptOut.Identity", identity, new()
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Identity__Issuer"] = identity.ToString(),
            ["Identity__WebBaseUrls__0"] = Web.ToString(),
        }, "/health");
        Api = await ServiceProcess.StartAsync(Settings, _database.ConnectionString, Servers.RabbitMq, "optout-browser-test",
            new Dictionary<string, string> { ["Auth:Authority"] = identity.ToString() });
        await StartAsync("OptOut.Web", Web, new()
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Web__Authority"] = identity.ToString(),
            ["Web__ApiBaseUrl"] = Api.Address.ToString(),
        }, "/");

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            // Debian's Chromium, as root, on a machine without a network: no sandbox, and nothing that phones home.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    public async Task DisposeAsync()
    {
        await Browser.CloseAsync();
        _playwright?.Dispose();
        foreach (var process in _processes)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            process.Dispose();
        }

        await Api.DisposeAsync();
        await _database!.DisposeAsync();
    }

    /// <summary>A fresh browser context (its own cookies), at 1024 px unless a width is asked for.</summary>
    public async Task<IPage> NewPageAsync(int width = 1024)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = 900 } });
        return await context.NewPageAsync();
    }

    private async Task StartAsync(string project, Uri address, Dictionary<string, string> environment, string ready) =>
        _processes.Add(await LaunchAsync(project, address, environment, ready));

    /// <summary>One of this repository's sites (OptOut.Web, OptOut.Identity) as its own process, once <paramref name="ready"/> answers.</summary>
    public static async Task<Process> LaunchAsync(string project, Uri address, Dictionary<string, string> environment, string ready)
    {
        var folder = Path.Combine(Repository.Root, "src", project);
        var start = new ProcessStartInfo("dotnet", [Path.Combine(folder, "bin", Configuration, "net10.0", project + ".dll")])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ASPNETCORE_URLS"] = address.ToString().TrimEnd('/');
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start)!;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var client = new HttpClient { BaseAddress = address };
        for (var attempt = 0; attempt < 150; attempt++)
        {
            try
            {
                if ((await client.GetAsync(ready)).IsSuccessStatusCode)
                {
                    return process;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            Assert.False(process.HasExited, $"{project} exited with {(process.HasExited ? process.ExitCode : 0)}");
            await Task.Delay(200);
        }

        process.Kill(entireProcessTree: true);
        throw new TimeoutException($"{project} never answered at {address}");
    }

    // The tests' own build configuration, so the pages and the sign-in service are the ones built with them.
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif
}

[CollectionDefinition(Name)]
public sealed class BrowserGroup : ICollectionFixture<BrowserJourneys>
{
    public const string Name = "Browser";
}
