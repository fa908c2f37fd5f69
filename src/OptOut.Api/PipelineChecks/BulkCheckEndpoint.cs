using Marten;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Npgsql;
using OptOut.EventStore;
using OptOut.Http;
using OptOut.Indexing;
using OptOut.Records;
using OptOut.Security;

namespace OptOut.PipelineChecks;

/// <summary>
/// POST /v1/opt-out-checks: a list of NHS numbers in, the ones that may be used out, in input order.
/// The list is streamed and the answer spooled, so memory does not grow with the list. Invalid numbers are never returned.
/// </summary>
public static class BulkCheckEndpoint
{
    private static readonly string[] Accepted = ["text/plain", "text/csv", "application/octet-stream"];

    public static void MapBulkCheck(this IEndpointRouteBuilder api) =>
        api.MapPost("/opt-out-checks", Handle)
            .WithName("CheckOptOuts")
            .WithSummary("Stream NHS numbers (text/plain one per line, MESH .dat with trailing commas, or text/csv with a header naming the nhsNumber column); get back, in order, those that may be used.")
            .WithDescription("The response carries the check id in Location; GET it for the summary. asOf answers from the event history; minSequence demands a current answer reflecting at least that event (503 otherwise).")
            .Accepts<string>("text/plain", "text/csv", "application/octet-stream")
            .Produces<string>(200, "text/plain")
            .ProducesProblem(400).ProducesProblem(413).ProducesProblem(415).ProducesProblem(422).ProducesProblem(503)
            .RequireAuthorization(p => p.RequireRole(Roles.Pipeline, Roles.Admin))
            .WithRequestTimeout(Http.RequestTimeLimits.LongRunning);

    private static async Task<IResult> Handle(HttpContext http, [AsParameters] BulkCheckQuery query, [AsParameters] BulkCheckServices services, CancellationToken ct)
    {
        if (Refusal(http, query, services, out var question, out var asOfAt, out var mediaType) is { } refused)
        {
            return refused;
        }

        // Kestrel's 30 MB default protects other endpoints; this one exists to take large lists.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = services.Options.Value.MaxBodyBytes;
        }

        var scope = CheckScope.For(question);
        if (asOfAt is { } at)
        {
            return await new BulkCheckRun(http, services, question, scope, new HistoryCheckRules(services.Database, services.Names, scope, new RecordByRecord(services.Store, services.Index, question), at, services.Index.Sequence), asOfAt, query.LegalBasis)
                .AnswerAsync(mediaType, ct);
        }

        if (await IndexReads.AwaitAsync(services.Index, query.MinSequence, services.Index.LastAcknowledged, services.IndexOptions.Value.MaxWait, token => services.Committed.LatestSequenceAsync(services.Database, token), ct) is { } behind)
        {
            return behind;
        }

        return await new BulkCheckRun(http, services, question, scope, new IndexCheckRules(services.Index, scope, new RecordByRecord(services.Store, services.Index, question), services.Clock), null, query.LegalBasis).AnswerAsync(mediaType, ct);
    }

    /// <summary>What is wrong with the question or the body's framing, before a byte of the list is read; null when nothing is.</summary>
    private static ProblemHttpResult? Refusal(
        HttpContext http, BulkCheckQuery query, BulkCheckServices services, out DecisionQuestion question, out DateTimeOffset? asOfAt, out string mediaType)
    {
        (question, asOfAt, mediaType) = (null!, null, http.Request.ContentType?.Split(';')[0].Trim().ToLowerInvariant() ?? "");
        if (DecisionQuestion.From(services.Catalogue.Value, query.Purpose, query.DataSource, query.LegalBasis, out var wrong) is not { } asked)
        {
            return Problems.Of(Problems.InvalidQuery, wrong!);
        }

        question = asked;
        if (question.PurposeDefinition.RequiresConsent)
        {
            return Problems.Of(Problems.InvalidQuery, "This purpose needs each patient's explicit consent, which a bulk opt-out check does not weigh. Ask /v1/decisions per patient.");
        }

        if (!QueryInstants.TryParse("asOf", query.AsOf, out asOfAt, out var problem))
        {
            return Problems.Of(Problems.InvalidQuery, problem);
        }

        if (asOfAt > services.Clock.GetUtcNow())
        {
            return Problems.Of(Problems.InvalidQuery, "asOf cannot be in the future: OptOut cannot know what it has not yet recorded.");
        }

        if (!Accepted.Contains(mediaType))
        {
            return Problems.Of(Problems.UnsupportedMediaType, "Send text/plain (one NHS number per line, a trailing comma allowed), text/csv with a header, or application/octet-stream (MESH .dat).");
        }

        return http.Request.ContentLength > services.Options.Value.MaxBodyBytes
            ? Problems.Of(Problems.ContentTooLarge, $"A bulk check accepts at most {services.Options.Value.MaxBodyBytes} bytes; split the list.")
            : null;
    }
}

/// <summary>The bulk check's query: what the numbers are checked for, and as of when.</summary>
public sealed record BulkCheckQuery(
    [property: FromQuery(Name = "purpose")] string? Purpose,
    [property: FromQuery(Name = "dataSource")] string? DataSource,
    [property: FromQuery(Name = "legalBasis")] string? LegalBasis,
    [property: FromQuery(Name = "asOf")] string? AsOf,
    [property: FromQuery(Name = "minSequence")] long? MinSequence);

/// <summary>What a bulk check runs on.</summary>
public sealed record BulkCheckServices(
    IOptions<ChoiceCatalogue> Catalogue, IOptions<OptOutCheckOptions> Options, IOptions<OptOutIndexOptions> IndexOptions, OptOutIndex Index,
    NpgsqlDataSource Database, EventStoreNames Names, CommittedEvents Committed, IDocumentStore Store, Hosting.OptOutMetrics Metrics, TimeProvider Clock);
