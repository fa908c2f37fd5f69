using System.Text.Json;
using OptOut.Security;
using OptOut.NhsNumbers;

namespace OptOut.Audit;

/// <summary>
/// Records every call to the API, allowed or refused (401 and 403 included), with caller, role, record,
/// stated purpose, outcome and request id. The entry is written, and committed, just before the response
/// starts, so no answer leaves OptOut unrecorded. An endpoint's answer is recorded before it is written
/// (<see cref="RecordBeforeAnswerAsync"/>), so when the audit store is down the caller gets a 503 problem
/// instead of the answer; anything else (refusals, streamed exports) is recorded as its response starts,
/// and fails as an empty 500 if it cannot be.
/// </summary>
public static class AuditMiddleware
{
    /// <summary>Endpoints put counts and hashes here (never lists or bodies) for their entry's details.</summary>
    public const string DetailsItem = "optout.audit.details";

    public const string RequestIdHeader = "X-Request-Id";

    private const string RecordedItem = "optout.audit.recorded";

    private const string RouteItem = "optout.audit.route";

    /// <summary>
    /// Outermost, before the exception handler: a request refused by the framework (malformed JSON, a wrong media type,
    /// a body too large) is recorded and named too. The exception handler clears headers, so the request id is added
    /// as the response starts, and the route is noted now, before the handler clears it.
    /// </summary>
    public static IApplicationBuilder UseAuditTrail(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        // The request id names the audit entry, for support and for a subject who asks about one call.
        http.Response.OnStarting(() =>
        {
            http.Response.Headers[RequestIdHeader] = http.TraceIdentifier;
            return Task.CompletedTask;
        });
        var path = http.Request.Path;
        if (path.StartsWithSegments("/v1") || path.StartsWithSegments("/fhir"))
        {
            var audit = http.RequestServices.GetRequiredService<AuditLog>();
            http.Items[RouteItem] = Target(http);
            http.Response.OnStarting(async () =>
            {
                // An over-rate refusal releases nothing, and auditing a flood would amplify it (README).
                if (http.Items.ContainsKey(RecordedItem) || http.Response.StatusCode == StatusCodes.Status429TooManyRequests)
                {
                    return;
                }

                try
                {
                    await audit.RecordAsync(RecordFor(http));
                }
                catch (Exception ex) when (http.Response.StatusCode >= 500)
                {
                    // A server error carries no patient data, so it may leave unrecorded when the audit store is down too;
                    // any other answer fails instead (Kestrel turns this throw into an empty 500).
                    http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AuditMiddleware))
                        .LogError(ex, "Audit entry for failed request {RequestId} could not be written", http.TraceIdentifier);
                }
            });
        }

        await next(http);
    });

    /// <summary>
    /// An endpoint filter: records the endpoint's answer with its status before the answer is written, and
    /// withholds it behind a 503 problem if the entry cannot be committed.
    /// </summary>
    public static async ValueTask<object?> RecordBeforeAnswerAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var answer = await next(context);
        var http = context.HttpContext;
        if (http.Response.HasStarted || http.Items.ContainsKey(RecordedItem) || StatusOf(answer, http.Response.StatusCode) is not { } status)
        {
            return answer;
        }

        http.Response.StatusCode = status;
        try
        {
            await http.RequestServices.GetRequiredService<AuditLog>().RecordAsync(RecordFor(http));
            http.Items[RecordedItem] = true;
            return answer;
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or TimeoutException or InvalidOperationException)
        {
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AuditMiddleware))
                .LogWarning(ex, "Answer to request {RequestId} withheld: its audit entry could not be written", http.TraceIdentifier);
            http.Response.Headers.RetryAfter = "5";
            return Http.Problems.Of(Http.Problems.AuditUnavailable, "The answer is withheld because it could not be recorded. Retry shortly; a change retried with the same Idempotency-Key is recorded once.");
        }
    }

    /// <summary>The status an endpoint's return value will answer with; null when only writing it would tell.</summary>
    private static int? StatusOf(object? answer, int current) => answer switch
    {
        INestedHttpResult nested => StatusOf(nested.Result, current),
        IStatusCodeHttpResult result => result.StatusCode ?? current,
        IResult => null,
        _ => current,
    };

    /// <summary>Adds one detail (a count, a hash, the answer given; never a list or a body) to this request's entry.</summary>
    public static void AddDetail(HttpContext http, string key, object? value)
    {
        if (http.Items[DetailsItem] is IDictionary<string, object?> details)
        {
            details[key] = value;
        }
        else
        {
            http.Items[DetailsItem] = new Dictionary<string, object?> { [key] = value };
        }
    }

    /// <summary>The request's entry was committed with the change it made (<see cref="ChangeAudit"/>): record nothing more.</summary>
    public static void MarkRecorded(HttpContext http) => http.Items[RecordedItem] = true;

    /// <summary>The record of this request as if it answered <paramref name="status"/>: for a change recorded in its own transaction.</summary>
    public static AuditRecord RecordFor(HttpContext http, int status)
    {
        http.Response.StatusCode = status;
        return RecordFor(http);
    }

    private static AuditRecord RecordFor(HttpContext http)
    {
        var caller = Caller.From(http.User);
        var authenticated = http.User.Identity?.IsAuthenticated == true;
        var (route, subject) = http.Items[RouteItem] as RequestTarget ?? Target(http);
        var details = new Dictionary<string, object?>
        {
            ["query"] = http.Request.QueryString.Value,
        };
        // A change names its events when it is chained (ChangeAudit); a replay names the event of the answer it repeats.
        if (http.Response.Headers.ContainsKey(Idempotency.IdempotencyKeys.ReplayedHeader))
        {
            details["replayOfEventSequence"] = http.Response.Headers[Http.OptOutHeaders.Sequence].FirstOrDefault();
        }

        if (http.Items[DetailsItem] is IDictionary<string, object?> extra)
        {
            foreach (var (key, value) in extra)
            {
                details[key] = value;
            }
        }

        // A purpose is kept only as stated by someone signed in: anyone at all could otherwise write text into the trail.
        var purpose = http.Request.Query["purpose"].FirstOrDefault() ?? http.Request.Headers["X-Purpose"].FirstOrDefault();
        if (!authenticated && purpose is not null)
        {
            (purpose, details["purposeNotKept"]) = (null, "stated by an unauthenticated caller");
        }

        return new AuditRecord(
            HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method) ? "access" : "change",
            $"{http.Request.Method} {route}",
            authenticated ? caller.Subject : "anonymous",
            authenticated ? caller.Role : "",
            subject,
            purpose,
            http.Response.StatusCode,
            http.TraceIdentifier,
            JsonSerializer.Serialize(details.Where(d => d.Value is not null).ToDictionary())).Storable();
    }

    /// <summary>
    /// The route template and the patient the request is about. A request the router refused (405, 415) has no route of
    /// its own, so the template its path fits names both: a patient's subject access report shows those refusals too.
    /// </summary>
    private static RequestTarget Target(HttpContext http)
    {
        if (http.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } template })
        {
            return new RequestTarget(template, Subject(http.Request.RouteValues, http.Request.Query));
        }

        return http.RequestServices.GetRequiredService<Http.RouteTemplates>().Match(http.Request.Path) is var (fitted, values)
            ? new RequestTarget(fitted, Subject(values, http.Request.Query))
            : new RequestTarget(http.Request.Path.Value ?? "", Subject(http.Request.RouteValues, http.Request.Query));
    }

    /// <summary>The patient the request is about, from the route or a FHIR search; as given if it is not a valid number.</summary>
    private static string? Subject(RouteValueDictionary route, IQueryCollection query)
    {
        if (route["nhsNumber"] is string number)
        {
            return NhsNumber.TryParse(number, out var parsed, out _) ? parsed.Value : number[..Math.Min(number.Length, 32)];
        }

        if (route["id"] is string id && Http.FhirPatientReference.TryParseConsentId(id, out var owner))
        {
            return owner.Value;
        }

        var named = query["patient:identifier"].FirstOrDefault() ?? query["patient"].FirstOrDefault();
        if (named is null)
        {
            return null;
        }

        return Http.FhirPatientReference.TryParse(named, out var patient, out _) ? patient.Value : named[..Math.Min(named.Length, 32)];
    }
}

/// <summary>The route and the patient a request is about, noted before an exception handler can clear them.</summary>
internal sealed record RequestTarget(string Route, string? NhsNumber);
