using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace OptOut.Hosting;

/// <summary>
/// Ready only while a primary PostgreSQL answers, and says which server that is: on a cluster, the node Patroni made
/// primary (the connection string lists every node and asks for the primary, so after a failover this names the new one).
/// </summary>
public sealed class DatabaseHealthCheck(NpgsqlDataSource database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var command = database.CreateCommand("select coalesce(host(inet_server_addr()), 'local socket') || ':' || current_setting('port'), pg_is_in_recovery()");
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            var server = reader.GetString(0);
            return reader.GetBoolean(1)
                ? HealthCheckResult.Unhealthy($"{server} is a standby: it cannot take writes.")
                : HealthCheckResult.Healthy($"primary {server}");
        }
#pragma warning disable CA1031 // Any failure to query means not ready; the probe must answer, not throw.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return HealthCheckResult.Unhealthy("No primary PostgreSQL answers.", ex);
        }
    }
}
