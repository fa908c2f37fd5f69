using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;

namespace OptOut.Http;

/// <summary>
/// A client's malformed request (unreadable JSON, a missing body, a query value that cannot bind) is a 4xx
/// problem that says, in the API's own terms, what was wrong; anything else is a 500 problem that says nothing
/// internal. No .NET type or framework message reaches a client.
/// </summary>
public sealed partial class ExceptionProblems(IProblemDetailsService problems, ILogger<ExceptionProblems> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is BadHttpRequestException bad)
        {
            var (kind, detail) = Explain(bad, (httpContext.GetEndpoint() ?? httpContext.Features.Get<IExceptionHandlerFeature>()?.Endpoint)?.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IAcceptsMetadata>()?.RequestType, httpContext.Request.Query);
            detail = kind == Problems.ContentTooLarge ? Problems.BodyLimit(httpContext) : detail;
            return await WriteAsync(httpContext, kind, detail);
        }

        if (DatabaseUnavailable(exception))
        {
            // PostgreSQL is unreachable or restarting: say so, and when to try again, rather than a bare 500.
            logger.LogWarning(exception, "Database unavailable for {Method} {Endpoint}", httpContext.Request.Method, httpContext.GetEndpoint()?.DisplayName);
            httpContext.Response.Headers.RetryAfter = "5";
            // A commit cut off mid-flight may or may not have landed: the Idempotency-Key makes the retry safe either way.
            return await WriteAsync(httpContext, Problems.DatabaseUnavailable, Problems.DatabaseUnavailable.Description);
        }

        logger.LogError(exception, "Unhandled exception for {Method} {Endpoint}", httpContext.Request.Method, httpContext.GetEndpoint()?.DisplayName);
        return await WriteAsync(httpContext, Problems.ServerError, $"Quote request id {httpContext.TraceIdentifier} to support.");
    }

    /// <summary>What a framework refusal means to a client of this API, in its terms: the parameter or property, and what it accepts.</summary>
    internal static (ProblemKind Kind, string Detail) Explain(BadHttpRequestException bad, Type? body = null, IQueryCollection? query = null)
    {
        if (bad.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            return (Problems.UnsupportedMediaType, "Send the body as application/json.");
        }

        // Kestrel's body limit surfaces inside the JSON reader's failure, so the whole chain is asked.
        if (bad.StatusCode == StatusCodes.Status413PayloadTooLarge || Causes(bad).Any(e => e is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }))
        {
            return (Problems.ContentTooLarge, "The body is larger than this endpoint accepts (Kestrel:Limits:MaxRequestBodySize, 1 MiB by default).");
        }

        if (bad.InnerException is System.Text.Json.JsonException json)
        {
            if (UnmappedProperty().Match(json.Message) is { Success: true } unmapped)
            {
                return (Problems.InvalidBody, $"The body has a property this request does not accept: '{unmapped.Groups[1].Value}'.");
            }

            return json.Message.Contains("could not be converted", StringComparison.Ordinal) && json.Path is { } path
                ? path.Length > 1
                    ? (Problems.InvalidBody, $"The value at {path} is not of the type that field takes (line {json.LineNumber + 1}){Choices(body, path)}.")
                    // [] or "x" is JSON, but not the object every body here is; "not well-formed" would send the caller to check their syntax.
                    : (Problems.InvalidBody, "The body is JSON but not an object: send {...} with the fields this request takes.")
                : (Problems.UnreadableBody, $"The body is not well-formed JSON (line {json.LineNumber + 1}, byte {json.BytePositionInLine}).");
        }

        if (FailedBinding().Match(bad.Message) is { Success: true } binding)
        {
            // A repeated parameter binds as its values joined by commas ("10,11"), which is not what it is said to be.
            if (query?[binding.Groups["name"].Value].Count is > 1 and var times)
            {
                return (Problems.InvalidQuery, $"{binding.Groups["name"].Value} is given {times} times: give it once.");
            }

            return (Problems.InvalidQuery, $"{binding.Groups["name"].Value} must be {Expected(binding.Groups["type"].Value)}.");
        }

        if (RequiredParameter().Match(bad.Message) is { Success: true } required)
        {
            return (Problems.InvalidQuery, $"{required.Groups[1].Value} is required.");
        }

        return bad.Message.Contains("body", StringComparison.OrdinalIgnoreCase)
            ? (Problems.UnreadableBody, "This request needs a JSON body.")
            : (Problems.InvalidQuery, "The request could not be read as this endpoint expects; see its description in the OpenAPI document at /swagger/v1/swagger.json.");
    }

    private static IEnumerable<Exception> Causes(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    private async ValueTask<bool> WriteAsync(HttpContext http, ProblemKind kind, string detail)
    {
        http.Response.StatusCode = kind.Status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = { Type = kind.Type, Status = kind.Status, Title = kind.Title, Detail = detail },
        });
    }

    /// <summary>
    /// What the field takes: for one of a set of words (one of this API's enums), ": one of a, b or c", so a client
    /// that sent "fax" as a channel learns what it may send; for a flag, a number, a date or text, which. The reader's message names the record being
    /// read, not the field's type, so the field is found by following the JSON path through the body's type.
    /// </summary>
    private static string Choices(Type? body, string path)
    {
        var type = body;
        foreach (var segment in path.TrimStart('$').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = segment.Split('[')[0];
            type = type?.GetProperties().FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))?.PropertyType;
            if (type is not null && segment.Contains('[', StringComparison.Ordinal))
            {
                type = type.IsArray ? type.GetElementType() : type.GetGenericArguments().FirstOrDefault();
            }
        }

        type = type is null ? null : Nullable.GetUnderlyingType(type) ?? type;
        if (type is not { IsEnum: true })
        {
            return type is not null && Expected(type.Name) is var expected && expected != AnyValue ? ": " + expected : "";
        }

        var names = type.GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Select(f => f.GetCustomAttributes(typeof(System.Text.Json.Serialization.JsonStringEnumMemberNameAttribute), false)
                .OfType<System.Text.Json.Serialization.JsonStringEnumMemberNameAttribute>().FirstOrDefault()?.Name ?? f.Name)
            .ToList();
        return names.Count == 0 ? "" : ": one of " + Problems.OneOf(names);
    }

    private const string AnyValue = "a valid value";

    /// <summary>What a value of a type looks like, by the type's name as C# ("long?") or .NET ("Int64") spells it.</summary>
    private static string Expected(string type) => type switch
    {
        _ when type.Contains("long", StringComparison.OrdinalIgnoreCase) || type.Contains("int", StringComparison.OrdinalIgnoreCase) => "a whole number",
        _ when type.Contains("DateTime", StringComparison.Ordinal) => "an ISO 8601 date-time with an offset, for example 2025-06-01T00:00:00Z",
        _ when type.Contains("DateOnly", StringComparison.Ordinal) => "a date, for example 2025-06-01",
        _ when type.Contains("bool", StringComparison.OrdinalIgnoreCase) => "true or false",
        _ when type.Contains("Guid", StringComparison.Ordinal) => "a UUID",
        _ when type.Equals("string", StringComparison.OrdinalIgnoreCase) => "text, in quotes",
        _ => AnyValue,
    };

    [GeneratedRegex("property '([^']*)' could not be mapped")]
    private static partial Regex UnmappedProperty();

    [GeneratedRegex("Failed to bind parameter \"(?<type>[^ \"]+) (?<name>[^ \"]+)\"")]
    private static partial Regex FailedBinding();

    [GeneratedRegex("Required parameter \"[^ \"]+ ([^ \"]+)\" was not provided")]
    private static partial Regex RequiredParameter();

    /// <summary>
    /// PostgreSQL unreachable, restarting or shutting down, however deep Marten or Npgsql wrapped it:
    /// class 08 (connection), 57P01-57P03 (admin or crash shutdown, starting up), or any error Npgsql calls transient.
    /// </summary>
    private static bool DatabaseUnavailable(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            // Npgsql's own failures (no PostgresException: no server answered, none of a cluster's nodes is primary yet);
            // a server that is shutting down or starting; a node that was primary when the connection opened and is a
            // standby now (25006: a failover happened under it).
            if (exception is TimeoutException or Npgsql.NpgsqlException { IsTransient: true } or Npgsql.NpgsqlException and not Npgsql.PostgresException
                || exception is Npgsql.PostgresException pg && (pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState is "57P01" or "57P02" or "57P03" or "25006"))
            {
                return true;
            }
        }

        return false;
    }
}
