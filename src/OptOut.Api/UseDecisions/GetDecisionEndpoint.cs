using System.Globalization;
using Marten;
using Microsoft.Extensions.Options;
using OptOut.Http;
using OptOut.Patients;
using OptOut.Patients.History;
using OptOut.Security;
using OptOut.Records;

namespace OptOut.UseDecisions;

public sealed record RuleView(string Rule, string Outcome, string Reason, EventReference? BasedOn);

/// <summary>
/// The answer to "may this record be used for this purpose?". <see cref="KnownAt"/> is the instant whose
/// knowledge was used (asOf); <see cref="InForceAt"/> the instant whose choices were weighed (effectiveAt).
/// </summary>
public sealed record DecisionResponse(
    string NhsNumber,
    string Decision,
    string Purpose,
    string DataSource,
    string? LegalBasis,
    DateTimeOffset KnownAt,
    DateTimeOffset InForceAt,
    string AnsweredAs,
    IReadOnlyList<RuleView> Rules);

public static class GetDecisionEndpoint
{
    public static void MapGetDecision(this IEndpointRouteBuilder api) =>
        api.MapGet("/decisions/{nhsNumber}", Handle)
            .WithName("GetDecision")
            .WithSummary("permit or deny the use of this record for a purpose, data source and legal basis, with the rules that decided and the events they rest on.")
            .WithDescription("asOf answers with what OptOut knew at that instant (and the choices in force then); effectiveAt with what was in force at that instant as known now. Both default to now.")
            .RequireAuthorization(p => p.RequireRole(Roles.Pipeline, Roles.Dpo));

    private static async Task<Results<Ok<DecisionResponse>, ProblemHttpResult>> Handle(
        string nhsNumber, string? purpose, string? dataSource, string? legalBasis, string? asOf, string? effectiveAt,
        IOptions<ChoiceCatalogue> catalogue, IQuerySession session, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        if (PatientAccess.ParseNhsNumber(nhsNumber, out var patient) is { } invalid)
        {
            return invalid;
        }

        var now = clock.GetUtcNow();
        if (DecisionQuestion.From(catalogue.Value, purpose, dataSource, legalBasis, out var wrong) is not { } question)
        {
            return BadQuery(wrong!);
        }

        if (!QueryInstants.TryParse("asOf", asOf, out var asOfAt, out var problem) || !QueryInstants.TryParse("effectiveAt", effectiveAt, out var effectiveInstant, out problem))
        {
            return BadQuery(problem);
        }

        if (asOfAt > now)
        {
            return BadQuery("asOf cannot be in the future: OptOut cannot know what it has not yet recorded.");
        }

        var knownAt = asOfAt ?? now;
        var inForceAt = effectiveInstant ?? asOfAt ?? now;
        var (timeline, outcomes) = await RecordDecision.WeighAsync(session, patient, question, knownAt, inForceAt, ct);

        // The patient's own access log shows what each question was answered.
        Audit.AuditMiddleware.AddDetail(http, "answer", DecisionRules.Verdict(outcomes));
        return TypedResults.Ok(new DecisionResponse(
            patient.Value, DecisionRules.Verdict(outcomes), question.Purpose, question.DataSource, question.LegalBasis,
            knownAt, inForceAt, $"as OptOut knew it at {knownAt:O}, for the choices in force at {inForceAt:O}",
            [.. outcomes.Select(o => new RuleView(o.Rule, o.Outcome, o.Reason, timeline.Reference(o.BasedOnDecision)))]));
    }


    private static ProblemHttpResult BadQuery(string detail) =>
        Problems.Of(Problems.InvalidQuery, detail);
}
