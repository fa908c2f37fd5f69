using Microsoft.AspNetCore.Diagnostics;

namespace OptOut.Http;

/// <summary>
/// A client's malformed request (unreadable JSON, a missing body, a header that cannot bind) is a 400
/// problem that says what was wrong; anything else is a 500 problem that says nothing internal.
/// </summary>
public sealed class ExceptionProblems(IProblemDetailsService problems, ILogger<ExceptionProblems> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is BadHttpRequestException bad)
        {
            httpContext.Response.StatusCode = bad.StatusCode;
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = httpContext,
                ProblemDetails = { Status = bad.StatusCode, Title = "The request could not be read.", Detail = ClientMessage(bad) },
            });
        }

        if (DatabaseUnavailable(exception))
        {
            // PostgreSQL is unreachable or restarting: say so, and when to try again, rather than a bare 500.
            logger.LogWarning(exception, "Database unavailable for {Method} {Endpoint}", httpContext.Request.Method, httpContext.GetEndpoint()?.DisplayName);
            httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            httpContext.Response.Headers.RetryAfter = "5";
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = httpContext,
                // A commit cut off mid-flight may or may not have landed: the Idempotency-Key makes the retry safe either way.
                ProblemDetails = { Status = 503, Title = "OptOut's database is unavailable.", Detail = "Retry shortly; a change retried with the same Idempotency-Key is recorded once." },
            });
        }

        logger.LogError(exception, "Unhandled exception for {Method} {Endpoint}", httpContext.Request.Method, httpContext.GetEndpoint()?.DisplayName);
        httpContext.Response.StatusCode = StatusCodes.Status500InternalServerError;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = { Status = 500, Title = "OptOut could not complete the request." },
        });
    }

    /// <summary>
    /// PostgreSQL unreachable, restarting or shutting down, however deep Marten or Npgsql wrapped it:
    /// class 08 (connection), 57P01-57P03 (admin or crash shutdown, starting up), or any error Npgsql calls transient.
    /// </summary>
    private static bool DatabaseUnavailable(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is TimeoutException or Npgsql.NpgsqlException { IsTransient: true }
                || exception is Npgsql.PostgresException pg && (pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState is "57P01" or "57P02" or "57P03"))
            {
                return true;
            }
        }

        return false;
    }

    // The JSON reader's own message names the path and position; it never echoes the request's values.
    private static string ClientMessage(BadHttpRequestException bad) =>
        bad.InnerException is System.Text.Json.JsonException json ? $"{bad.Message} {json.Message}" : bad.Message;
}
