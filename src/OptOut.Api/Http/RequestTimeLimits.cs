using System.Globalization;
using Microsoft.AspNetCore.Http.Timeouts;

namespace OptOut.Http;

public sealed class RequestTimeLimitOptions
{
    /// <summary>How long an ordinary request may take before it is cancelled.</summary>
    public TimeSpan Default { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>For bulk checks, imports, audit exports and verification, which work through millions of rows.</summary>
    public TimeSpan LongRunning { get; set; } = TimeSpan.FromMinutes(30);
}

/// <summary>
/// Every request runs under a time limit (ASP.NET Core request timeouts): its cancellation token fires, and
/// the caller gets a 503 problem rather than a held connection. A write that has begun saving still commits,
/// so a retry with its Idempotency-Key finds it.
/// </summary>
public static class RequestTimeLimits
{
    public const string LongRunning = "long-running";

    public static IServiceCollection AddRequestTimeLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("RequestTimeLimits").Get<RequestTimeLimitOptions>() ?? new RequestTimeLimitOptions();
        return services.AddRequestTimeouts(timeouts =>
        {
            timeouts.DefaultPolicy = Policy(options.Default);
            timeouts.AddPolicy(LongRunning, Policy(options.LongRunning));
        });
    }

    private static RequestTimeoutPolicy Policy(TimeSpan limit) => new()
    {
        Timeout = limit,
        TimeoutStatusCode = StatusCodes.Status503ServiceUnavailable,
        WriteTimeoutResponse = async http =>
        {
            http.Response.Headers.RetryAfter = "5";
            await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                ProblemDetails =
                {
                    Type = Problems.TimedOut.Type,
                    Status = StatusCodes.Status503ServiceUnavailable,
                    Title = Problems.TimedOut.Title,
                    Detail = $"It took longer than its limit of {limit.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s. Retry shortly.",
                },
            });
        },
    };
}
