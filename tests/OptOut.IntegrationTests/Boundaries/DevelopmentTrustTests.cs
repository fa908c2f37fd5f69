using System.Diagnostics;
using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.Boundaries;

/// <summary>Outside Development, neither the API nor the pages start with the development key or sign-in service.</summary>
public class DevelopmentTrustTests
{
    [Theory]
    [InlineData("Auth__DevelopmentSigningKey", "c2VjcmV0LWtleS1mb3ItdGVzdHMtb25seS0xMjM0NTY3ODkwMTI=", "Auth:DevelopmentSigningKey")]
    [InlineData("Auth__Authority", "http://127.0.0.1:5070/", "not an https issuer")]
    public async Task The_API_refuses_to_start_in_Production_trusting_development_sign_in(string setting, string value, string said)
    {
        var (exitCode, output) = await RunAsync(Path.Combine(AppContext.BaseDirectory, "OptOut.Api.dll"), AppContext.BaseDirectory, new()
        {
            [setting] = value,
            ["ConnectionStrings__Marten"] = "Host=127.0.0.1;Database=none",
            ["ConnectionStrings__RabbitMq"] = "amqp://127.0.0.1:1/",
        });

        Assert.NotEqual(0, exitCode);
        Assert.Contains(said, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_pages_refuse_to_start_in_Production_with_the_development_sign_in_service()
    {
        var folder = Path.Combine(Repository.Root, "src", "OptOut.Web");
        var (exitCode, output) = await RunAsync(Path.Combine(folder, "bin", Configuration, "net10.0", "OptOut.Web.dll"), folder, new()
        {
            ["Web__Authority"] = "http://127.0.0.1:5070/",
        });

        Assert.Equal(1, exitCode);
        Assert.Contains("only an https issuer is trusted outside Development", output, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string dll, string folder, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet", [dll]) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        // infra/optout exports the development key for the tests; each case here sets only what it is about.
        start.Environment.Remove("Auth__DevelopmentSigningKey");
        start.Environment.Remove("Auth__Authority");
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{TestServers.FreeTcpPort()}";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(patience.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("It started instead of refusing.");
        }

        return (process.ExitCode, await stdout + await stderr);
    }

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif
}
