using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OptOut.Hosting;

public static class HealthSetup
{
    public const string Ready = "ready";

    private static readonly JsonSerializerOptions LeaveOutNulls = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

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
        // Which server answered as primary is for operators: anyone may ask for readiness (probes carry no token), so
        // outside Development the answer names no internal address unless Health:Details says it may.
        var details = app.ServiceProvider.GetRequiredService<IConfiguration>().GetValue<bool?>("Health:Details")
                      ?? app.ServiceProvider.GetRequiredService<IHostEnvironment>().IsDevelopment();
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
            ResponseWriter = (http, report) => WriteReport(http, report, details),
        }).AllowAnonymous();
    }

    /// <summary>Says which dependency is down, without exception detail; with <paramref name="details"/>, what each check said.</summary>
    private static Task WriteReport(HttpContext http, HealthReport report, bool details)
    {
        http.Response.ContentType = "application/json";
        return http.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), Description = details ? e.Value.Description : null }),
        }, LeaveOutNulls));
    }
}
