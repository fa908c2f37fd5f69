using System.Diagnostics;

namespace OptOut.IntegrationTests.Infrastructure;

/// <summary>What one run of a command did: its exit status and what it wrote where.</summary>
public sealed record CliRun(int ExitCode, string Stdout, string Stderr);

/// <summary>The optout tool as a user runs it: its own process (the built optout.dll), with a development signing key.</summary>
public static class OptOutCli
{
    public static Task<CliRun> RunAsync(string signingKey, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "optout.dll"), .. args]);
        start.Environment["Auth__DevelopmentSigningKey"] = signingKey;
        start.Environment.Remove("OPTOUT_TOKEN");
        return RunAsync(start);
    }

    /// <summary>Runs a command to its end (two minutes at most) with no input, and keeps what it wrote.</summary>
    public static async Task<CliRun> RunAsync(ProcessStartInfo start)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = true;
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(patience.Token);
        return new CliRun(process.ExitCode, await stdout, await stderr);
    }
}
