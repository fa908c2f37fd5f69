using System.Diagnostics;
using Testcontainers.RabbitMq;

namespace OptOut.IntegrationTests.Infrastructure;

/// <summary>Stops and starts the real broker, for the tests that prove nothing is lost while it is down.</summary>
public interface IBrokerControl
{
    Task StopAsync();

    Task StartAsync();
}

/// <summary>The local broker `infra/optout` started: stop_app closes every connection and refuses new ones.</summary>
public sealed class RabbitMqCtlBroker : IBrokerControl
{
    public Task StopAsync() => RunAsync("stop_app");

    public async Task StartAsync()
    {
        await RunAsync("start_app");
        await RunAsync("await_startup");
    }

    private static async Task RunAsync(string command)
    {
        using var process = Process.Start(new ProcessStartInfo("rabbitmqctl", ["-q", command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("rabbitmqctl did not start.");
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"rabbitmqctl {command} failed: {await process.StandardError.ReadToEndAsync()}");
        }
    }
}

public sealed class ContainerBroker(RabbitMqContainer container) : IBrokerControl
{
    public Task StopAsync() => container.StopAsync();

    public Task StartAsync() => container.StartAsync();
}
