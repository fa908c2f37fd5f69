using System.Diagnostics.Metrics;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace OptOut.Hosting;

/// <summary>
/// OptOut's own measurements, beside ASP.NET Core's request rates and latencies: how long a change takes to reach
/// the broker, which event the opt-out index reflects, how many audit entries share a commit, and how far the audit
/// log is signed and its patient map behind it.
/// </summary>
public sealed class OptOutMetrics : IDisposable
{
    public const string MeterName = "OptOut";

    private readonly Meter _meter = new(MeterName);

    public OptOutMetrics(Indexing.OptOutIndex index, Audit.Transparency.LogProgress log)
    {
        PublishLag = _meter.CreateHistogram<double>("optout.publish.lag", "ms", "From a change's commit to the broker's confirm of its message.");
        AuditBatch = _meter.CreateHistogram<int>("optout.audit.batch.size", "{entry}", "Audit entries written in one commit.");
        BulkCheckNumbers = _meter.CreateCounter<long>("optout.bulk_check.numbers", "{number}", "NHS numbers read by bulk checks.");
        _meter.CreateObservableGauge("optout.index.sequence", () => index.Sequence, "{event}", "The event sequence the opt-out index reflects.");
        // Reported by the instance leading the sequencer only, so a sum or a max over instances is the log's.
        _meter.CreateObservableGauge("optout.audit.log.size", () => Leading(log, s => s.Size), "{entry}", "Entries in the audit log's latest signed checkpoint.");
        _meter.CreateObservableGauge("optout.audit.map.lag", () => Leading(log, s => s.MapLag), "{entry}",
            "Entries in the latest signed checkpoint that its patient map does not yet count: a patient's proof shows their list complete only up to the map.");
    }

    public Histogram<double> PublishLag { get; }

    public Histogram<int> AuditBatch { get; }

    public Counter<long> BulkCheckNumbers { get; }

    public void Dispose() => _meter.Dispose();

    private static IEnumerable<Measurement<long>> Leading(Audit.Transparency.LogProgress log, Func<Audit.Transparency.LogProgress.Signing, long> value) =>
        log.Latest is { } latest ? [new Measurement<long>(value(latest))] : [];
}

public static class TelemetrySetup
{
    /// <summary>Traces and metrics go to the OTLP endpoint in Telemetry:OtlpEndpoint when one is set, and nowhere otherwise.</summary>
    public static IServiceCollection AddOptOutTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<OptOutMetrics>();
        // ASP.NET Core wraps every log line of a request in a scope holding the request's path, and paths carry NHS
        // numbers: a sink that writes scopes (a console with IncludeScopes, a log collector) would store them in full.
        // The scope is made only while this category is enabled; what it logs itself (request starting and finished)
        // the request metrics and traces carry, with the path masked.
        services.AddLogging(logging => logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None));
        var endpoint = configuration["Telemetry:OtlpEndpoint"];
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("optout"))
            .WithMetrics(m => m.AddMeter(OptOutMetrics.MeterName).AddAspNetCoreInstrumentation())
            .WithTracing(t => t
                .AddAspNetCoreInstrumentation(o => o.EnrichWithHttpRequest = (activity, request) => activity.SetTag("url.path", RedactedPath(request.Path)))
                .AddSource("Marten", "MassTransit"));
        if (!string.IsNullOrEmpty(endpoint))
        {
            services.ConfigureOpenTelemetryMeterProvider(m => m.AddOtlpExporter(o => o.Endpoint = new Uri(endpoint)));
            services.ConfigureOpenTelemetryTracerProvider(t => t.AddOtlpExporter(o => o.Endpoint = new Uri(endpoint)));
        }

        return services;
    }

    /// <summary>Traces leave OptOut for a collector: the NHS numbers in paths are masked there as in the logs.</summary>
    public static string RedactedPath(PathString path) =>
        string.Join('/', (path.Value ?? "").Split('/').Select(segment =>
            NhsNumbers.NhsNumber.TryParse(Uri.UnescapeDataString(segment), out var number, out _) ? number.Masked : segment));
}
