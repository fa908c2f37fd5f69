using Microsoft.AspNetCore.Routing.Template;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace OptOut.Http;

/// <summary>
/// One kind of client-visible problem: its <c>type</c> URI (served at that path, so it is documentation too),
/// status and title. Clients branch on <see cref="Type"/>, never on the English title.
/// </summary>
public sealed record ProblemKind(string Slug, int Status, string Title, string Description)
{
    public string Type => $"/problems/{Slug}";
}

/// <summary>RFC 9457 problem responses: every kind OptOut answers with, in one catalogue.</summary>
public static class Problems
{
    public static readonly ProblemKind InvalidNhsNumber = new("invalid-nhs-number", 400, "Invalid NHS number.", "An NHS number in the path, query or body is not ten ASCII digits (or 3-3-4 groups) with a valid modulus 11 check digit. detail names the rule it broke.");
    public static readonly ProblemKind InvalidBody = new("invalid-body", 400, "The request body is not valid.", "A field is missing, has the wrong type or a value outside its allowed set, or the body has a property the request does not accept. errors names each field.");
    public static readonly ProblemKind UnreadableBody = new("unreadable-body", 400, "The request body could not be read.", "The body is missing, is not JSON, or ended early.");
    public static readonly ProblemKind InvalidQuery = new("invalid-query", 400, "A query parameter is not valid.", "detail names the parameter and the values it accepts.");
    public static readonly ProblemKind InvalidHeader = new("invalid-header", 400, "A header is not valid.", "If-Match, Idempotency-Key or another header has a value OptOut cannot use; detail says which and why.");
    public static readonly ProblemKind Unauthenticated = new("unauthenticated", 401, "Sign-in required.", "The request carried no bearer token, or one that is expired, not yet valid, or not signed by a trusted issuer.");
    public static readonly ProblemKind Forbidden = new("forbidden", 403, "Forbidden.", "The caller's role may not call this endpoint, or may not reach this patient's record (a patient reaches only their own; a proxy only a patient they are authorised for now).");
    public static readonly ProblemKind NotFound = new("not-found", 404, "Not found.", "No such path, purpose, proxy, check or resource.");
    public static readonly ProblemKind MethodNotAllowed = new("method-not-allowed", 405, "Method not allowed.", "The path exists but does not take this HTTP method; Allow lists the ones it takes.");
    public static readonly ProblemKind NotAcceptable = new("not-acceptable", 406, "Not acceptable.", "No representation matches the Accept header; detail lists those offered.");
    public static readonly ProblemKind ConcurrentChange = new("concurrent-change", 409, "A concurrent change won.", "Another change to this record was saved at the same moment. Retry; with the same Idempotency-Key it is recorded once.");
    public static readonly ProblemKind AlreadySuperseded = new("already-superseded", 409, "Already superseded.", "One of the NHS numbers has already been merged into another record.");
    public static readonly ProblemKind StaleVersion = new("stale-version", 412, "The record has changed.", "If-Match named a version the record has moved on from. Read it again and retry.");
    public static readonly ProblemKind ContentTooLarge = new("content-too-large", 413, "Content too large.", "The body is larger than this endpoint accepts; detail names the limit.");
    public static readonly ProblemKind UnsupportedMediaType = new("unsupported-media-type", 415, "Unsupported media type.", "The body's Content-Type is not one this endpoint reads; detail lists those it does.");
    public static readonly ProblemKind IdempotencyKeyReused = new("idempotency-key-reused", 422, "Idempotency-Key reused.", "The key was already used by this caller for a different request. Use a new key for a new request.");
    public static readonly ProblemKind NoValidNhsNumber = new("no-valid-nhs-number", 422, "No valid NHS number.", "A bulk-checked list held no valid NHS number, so there is nothing to answer.");
    public static readonly ProblemKind CannotCarryOut = new("cannot-carry-out", 422, "The request cannot be carried out.", "The request is well formed but contradicts the record (for example a number superseding itself, or revoking an authority that has ended).");
    public static readonly ProblemKind TooManyRequests = new("too-many-requests", 429, "Too many requests.", "This client is over its rate limit; Retry-After says when to try again.");
    public static readonly ProblemKind ServerError = new("server-error", 500, "OptOut could not complete the request.", "An error inside OptOut. Nothing about it is the client's to fix; the request id names it for support.");
    public static readonly ProblemKind IndexBehind = new("index-behind", 503, "The opt-out index is behind.", "The in-memory index has not yet reached the sequence the answer must reflect. Retry shortly.");
    public static readonly ProblemKind AuditUnavailable = new("audit-unavailable", 503, "OptOut's audit trail is unavailable.", "The answer is withheld because it could not be recorded. Retry shortly.");
    public static readonly ProblemKind DatabaseUnavailable = new("database-unavailable", 503, "OptOut's database is unavailable.", "PostgreSQL is unreachable or restarting. Retry shortly; a change retried with the same Idempotency-Key is recorded once.");
    public static readonly ProblemKind TimedOut = new("timed-out", 503, "The request ran out of time.", "The request ran past its time limit and was cancelled. Retry, or split a bulk request.");

    public static readonly IReadOnlyList<ProblemKind> All =
    [
        InvalidNhsNumber, InvalidBody, UnreadableBody, InvalidQuery, InvalidHeader, Unauthenticated, Forbidden, NotFound, MethodNotAllowed,
        NotAcceptable, ConcurrentChange, AlreadySuperseded, StaleVersion, ContentTooLarge, UnsupportedMediaType, IdempotencyKeyReused,
        NoValidNhsNumber, CannotCarryOut, TooManyRequests, ServerError, IndexBehind, AuditUnavailable, DatabaseUnavailable, TimedOut,
    ];

    /// <summary>The problem of this kind, with a detail that names what was wrong and how to put it right.</summary>
    public static ProblemHttpResult Of(ProblemKind kind, string detail) =>
        TypedResults.Problem(type: kind.Type, title: kind.Title, detail: detail, statusCode: kind.Status);

    /// <summary>
    /// A body that failed validation: every field in error, named as the body names it ("period.start",
    /// "nhsNumbers[3]"), not as the C# model does ("Period.Start"), so a client can find the member it sent.
    /// </summary>
    public static ValidationProblem InvalidFields(IDictionary<string, string[]> errors)
    {
        var named = errors
            .GroupBy(e => JsonPath(e.Key))
            .ToDictionary(g => g.Key, g => g.SelectMany(e => e.Value).ToArray());
        return TypedResults.ValidationProblem(named, type: InvalidBody.Type, title: InvalidBody.Title,
            // One sentence: each message's own full stop gives way to the separator ("a: x; b: y.", not "a: x.; b: y.").
            detail: "Fix the fields named in errors: " + string.Join("; ", named.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m.TrimEnd('.')}"))) + ".");
    }

    /// <summary>A validator's property path with each member as the JSON body spells it (camelCase, as the API serialises).</summary>
    public static string JsonPath(string propertyPath) =>
        string.Join('.', propertyPath.Split('.').Select(System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName));

    /// <summary>
    /// Problems the framework writes (401, 403, 404, 405, 413, 415, 429 and others) get their kind's type and a
    /// detail here, so no problem leaves without both.
    /// </summary>
    public static void Complete(ProblemDetails problem, HttpContext http)
    {
        if (problem.Status == StatusCodes.Status413PayloadTooLarge && problem.Detail is null)
        {
            problem.Detail = BodyLimit(http);
        }

        if (problem.Status == StatusCodes.Status415UnsupportedMediaType && problem.Detail is null)
        {
            problem.Detail = MediaTypesRead(http);
        }

        var kind = All.FirstOrDefault(k => k.Type == problem.Type)
                   ?? All.FirstOrDefault(k => k.Status == problem.Status)
                   ?? (problem.Status >= 500 ? ServerError : InvalidQuery);
        if (problem.Type is null || !problem.Type.StartsWith("/problems/", StringComparison.Ordinal))
        {
            problem.Type = kind.Type;
            problem.Title = kind.Title;
        }

        problem.Detail ??= kind.Description;

        // The index catches up within moments: a client told to retry is told when.
        if (kind == IndexBehind && !http.Response.Headers.ContainsKey(Microsoft.Net.Http.Headers.HeaderNames.RetryAfter))
        {
            http.Response.Headers.RetryAfter = "1";
        }
    }

    /// <summary>
    /// What a 415 from routing says: the router refuses a Content-Type no endpoint at this path and method reads
    /// (their Accepts metadata) before any endpoint runs, so the endpoints are found again here to name what they read.
    /// </summary>
    public static string MediaTypesRead(HttpContext http)
    {
        var read = http.RequestServices.GetService<EndpointDataSource>()?.Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains(http.Request.Method, StringComparer.OrdinalIgnoreCase) ?? true)
            .Where(e => new TemplateMatcher(TemplateParser.Parse(e.RoutePattern.RawText!), []).TryMatch(http.Request.Path, []))
            .SelectMany(e => e.Metadata.GetMetadata<IAcceptsMetadata>()?.ContentTypes ?? [])
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList() ?? [];
        var sent = string.IsNullOrEmpty(http.Request.ContentType) ? "a body with no Content-Type" : $"Content-Type {http.Request.ContentType}";
        return read.Count == 0
            ? $"This endpoint does not read {sent}."
            : $"This endpoint does not read {sent}: send {OneOf(read)}.";
    }

    /// <summary>Choices as a sentence lists them: "a", "a or b", "a, b or c".</summary>
    public static string OneOf(IReadOnlyList<string> choices) =>
        choices.Count <= 1 ? string.Concat(choices) : $"{string.Join(", ", choices.SkipLast(1))} or {choices[^1]}";

    /// <summary>What a 413 says: the limit this endpoint applied.</summary>
    public static string BodyLimit(HttpContext http) =>
        http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize is { } limit
            ? $"The body is larger than the {FormatBytes(limit)} this endpoint accepts."
            : "The body is larger than this endpoint accepts.";

    private static string FormatBytes(long bytes) => bytes % (1 << 20) == 0
        ? $"{bytes >> 20} MiB"
        : $"{bytes.ToString(System.Globalization.CultureInfo.InvariantCulture)} bytes";

    public static ProblemHttpResult BadNhsNumber(string reason) => Of(InvalidNhsNumber, reason);

    public static ProblemHttpResult NotYourRecord() => Of(Forbidden, "A patient may read and change only their own record.");

    public static ProblemHttpResult Refused(string detail) => Of(Forbidden, detail);

    public static ProblemHttpResult BadIfMatch() =>
        Of(InvalidHeader, "If-Match must be the quoted version from an earlier ETag, for example \"3\", or *.");

    public static ProblemHttpResult Stale(long? expected) =>
        Of(StaleVersion, $"If-Match named version {expected}, but the record has moved on. Read it again and retry.");

    public static ProblemHttpResult Concurrent() =>
        Of(ConcurrentChange, "Another change to this record was saved at the same moment. Retry the request.");

    public static ProblemHttpResult Unprocessable(string detail) => Of(CannotCarryOut, detail);

    /// <summary>A decider's refusal, said over HTTP: the one place the record's reasons become status codes.</summary>
    public static ProblemHttpResult For(Records.Refusal refusal) => refusal.Kind switch
    {
        Records.RefusalKind.NothingToChange => Of(NotFound, refusal.Detail),
        Records.RefusalKind.AlreadySuperseded => Of(AlreadySuperseded, refusal.Detail),
        _ => Unprocessable(refusal.Detail),
    };
}
