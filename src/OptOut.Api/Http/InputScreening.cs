using System.Text.Json;

namespace OptOut.Http;

/// <summary>
/// One check at the edge, before any handler or audit batching: a NUL, another control character, a bidirectional
/// override or a lone surrogate in the path, a query parameter, a header or a JSON string is refused with a 400 problem
/// naming where it was. Such bytes cannot be stored by PostgreSQL (NUL), rewrite what a reader sees (controls, overrides)
/// or fail a whole group commit of other people's audit entries, so none of them goes further. A JSON body with a
/// property given twice, in any letter case, is refused too: a gateway that reads the first would see another request.
/// </summary>
public static class InputScreening
{
    /// <summary>What a caller may state as their purpose (X-Purpose or ?purpose=): it is kept in the append-only trail.</summary>
    public const int MaxPurposeLength = 256;

    public static IApplicationBuilder UseInputScreening(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        if (await RefusalAsync(http.Request) is { } refusal)
        {
            await refusal.ExecuteAsync(http);
            return;
        }

        await next(http);
    });

    private static async Task<IResult?> RefusalAsync(HttpRequest request)
    {
        if (SafeText.FirstUnsafe(request.Path.Value, allowTab: false) is { } inPath)
        {
            return Problems.Of(Problems.InvalidQuery, $"The path holds {inPath}.");
        }

        foreach (var (name, values) in request.Query)
        {
            if (SafeText.FirstUnsafe(name, allowTab: false) is { } inName)
            {
                return Problems.Of(Problems.InvalidQuery, $"A query parameter's name holds {inName}.");
            }

            foreach (var value in values)
            {
                if (SafeText.FirstUnsafe(value, allowTab: false) is { } inValue)
                {
                    return Problems.Of(Problems.InvalidQuery, $"Query parameter '{name}' holds {inValue}.");
                }
            }
        }

        foreach (var (name, values) in request.Headers)
        {
            foreach (var value in values)
            {
                // A header value may hold a tab (RFC 9110 section 5.5); nothing else below a space.
                if (SafeText.FirstUnsafe(value, allowTab: true) is { } inHeader)
                {
                    return Problems.Of(Problems.InvalidHeader, $"Header '{name}' holds {inHeader}.");
                }
            }
        }

        var purpose = request.Query["purpose"].FirstOrDefault() ?? request.Headers["X-Purpose"].FirstOrDefault();
        if (purpose is { Length: > MaxPurposeLength })
        {
            return Problems.Of(Problems.InvalidQuery, $"A stated purpose (X-Purpose or ?purpose=) is at most {MaxPurposeLength} characters.");
        }

        return IsJson(request.ContentType) && request.ContentLength is not 0 ? await JsonRefusalAsync(request) : null;
    }

    private static async Task<IResult?> JsonRefusalAsync(HttpRequest request)
    {
        // The body is read once here and again by its endpoint; Kestrel's body size limit still applies to both reads.
        request.EnableBuffering();
        byte[] body;
        try
        {
            using var copy = new MemoryStream();
            await request.Body.CopyToAsync(copy, request.HttpContext.RequestAborted);
            body = copy.ToArray();
        }
        finally
        {
            request.Body.Position = 0;
        }

        try
        {
            return JsonBodyScan.FirstProblem(body) is { } problem ? Problems.Of(Problems.InvalidBody, problem) : null;
        }
        catch (JsonException)
        {
            // Not JSON at all: the endpoint's own reading refuses it, with the reason the reader gives.
            return null;
        }
    }

    private static bool IsJson(string? contentType) =>
        contentType is not null
        && (contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
            || contentType.Split(';')[0].Trim().EndsWith("+json", StringComparison.OrdinalIgnoreCase));
}
