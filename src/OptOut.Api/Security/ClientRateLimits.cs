using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using OptOut.Security;

namespace OptOut.Security;

public sealed class ClientRateLimitOptions
{
    /// <summary>The burst a client may send at once.</summary>
    public int TokenLimit { get; set; } = 600;

    /// <summary>The sustained rate a client may keep up. Pipelines checking more numbers than this use the bulk check.</summary>
    public int TokensPerSecond { get; set; } = 100;
}

/// <summary>
/// A token bucket per client: the token's subject once authenticated, the remote address otherwise, so one
/// client's flood cannot starve the rest. Over the limit is a 429 problem with Retry-After. Health probes are
/// not limited. Refused requests are not audited: no data left, and auditing a flood would amplify it.
/// </summary>
public static class ClientRateLimits
{
    public static IServiceCollection AddClientRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection("RateLimiting").Get<ClientRateLimitOptions>() ?? new ClientRateLimitOptions();
        return services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                http.Request.Path.StartsWithSegments("/health")
                    ? RateLimitPartition.GetNoLimiter("health")
                    : RateLimitPartition.GetTokenBucketLimiter(ClientOf(http), _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = options.TokenLimit,
                        TokensPerPeriod = options.TokensPerSecond,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    }));
            limiter.OnRejected = RejectAsync;
        });
    }

    private static string ClientOf(HttpContext http) =>
        http.User.Identity?.IsAuthenticated == true
            ? "sub:" + Caller.From(http.User).Subject
            : "ip:" + http.Connection.RemoteIpAddress;

    private static async ValueTask RejectAsync(OnRejectedContext context, CancellationToken ct)
    {
        var http = context.HttpContext;
        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails =
            {
                Type = Problems.TooManyRequests.Type,
                Status = StatusCodes.Status429TooManyRequests,
                Title = Problems.TooManyRequests.Title,
                Detail = $"This client is over its request rate. Retry after {retryAfter} s; for many NHS numbers use POST /v1/opt-out-checks.",
            },
        });
    }
}
