using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OptOut.Hosting;

public static class HealthSetup
{
    public const string Ready = "ready";

    public static IServiceCollection AddOptOutHealth(this IServiceCollection services, IConfiguration configuration)
    {
        var broker = BrokerAddress.From(configuration);
        services.AddHealthChecks()
            .Add(new HealthCheckRegistration("postgresql", sp => new DatabaseHealthCheck(sp.GetRequiredService<Npgsql.NpgsqlDataSource>()), null, [Ready], TimeSpan.FromSeconds(3)))
            .AddCheck("rabbitmq", new BrokerHealthCheck(broker), tags: [Ready]);
        return services;
    }

    public static void MapOptOutHealth(this IEndpointRouteBuilder app)
    {
        // Live: the process answers. Ready: PostgreSQL and RabbitMQ answer too.
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(Ready),
            // A degraded bus cannot publish: not ready.
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
            ResponseWriter = WriteReport,
        }).AllowAnonymous();
    }

    /// <summary>Says which dependency is down, without exception detail.</summary>
    private static Task WriteReport(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        return http.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), e.Value.Description }),
        }));
    }
}
