using Microsoft.Extensions.Diagnostics.HealthChecks;
using RabbitMQ.Client;

namespace OptOut.Hosting;

/// <summary>
/// Ready only while RabbitMQ accepts a connection. MassTransit's own bus check reports a publish-only
/// bus healthy even with the broker down, because it watches receive endpoints, and this service has none.
/// </summary>
public sealed class BrokerHealthCheck(BrokerAddress broker) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var factory = new ConnectionFactory { Uri = broker.Uri, RequestedConnectionTimeout = TimeSpan.FromSeconds(3), ClientProvidedName = "optout-readiness" };
            // Any node of a cluster will do: the client tries them in turn.
            await using var connection = await factory.CreateConnectionAsync([.. broker.Nodes.Select(n => new AmqpTcpEndpoint(n.Host, n.Port))], cancellationToken);
            return HealthCheckResult.Healthy();
        }
#pragma warning disable CA1031 // Any failure to connect means not ready; the probe must answer, not throw.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return HealthCheckResult.Unhealthy("RabbitMQ does not accept connections.", ex);
        }
    }
}
