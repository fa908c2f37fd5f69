using Marten;
using OptOut.Records;
using OptOut.Http;
using OptOut.Patients.History;
using OptOut.Security;
using OptOut.Patients;

namespace OptOut.Patients.Choices;

/// <summary>One choice in force, with the stored event it rests on.</summary>
public sealed record ChoiceView(
    string Kind,
    string Value,
    string? Purpose,
    ConsentPeriod? Period,
    string? PracticeOdsCode,
    string? ProxyId,
    ProxyRole? ProxyRole,
    EventReference? BasedOn);

public sealed record ChoicesResponse(string NhsNumber, long Version, DateTimeOffset At, IReadOnlyList<ChoiceView> Choices);

public static class GetChoicesEndpoint
{
    public static void MapGetChoices(this IEndpointRouteBuilder api) =>
        api.MapGet("/patients/{nhsNumber}/choices", Handle)
            .WithName("GetChoices")
            .WithSummary("Every choice in force for the patient now (opt-outs, consents, proxies), each with the event it rests on.")
            .RequireAuthorization(p => p.RequireRole(Roles.Patient, Roles.Proxy, Roles.Dpo));

    private static async Task<Results<Ok<ChoicesResponse>, ProblemHttpResult>> Handle(
        string nhsNumber, IQuerySession session, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var (record, problem) = await session.LoadForCallerAsync(nhsNumber, http.User, now, ct);
        if (record is null)
        {
            return problem!;
        }

        var timeline = await PatientTimeline.LoadAsync(session, record, ct);
        var choices = new List<ChoiceView>();
        if (record.NationalDataOptOut.OptedOut)
        {
            choices.Add(new("national-data-opt-out", "opted-out", null, null, null, null, null, timeline.Reference(record.NationalDataOptOut.DecisionId)));
        }

        if (record.Type1OptOut.Dissent)
        {
            choices.Add(new("type-1-opt-out", "dissent", null, null, record.Type1OptOut.PracticeOdsCode, null, null, timeline.Reference(record.Type1OptOut.DecisionId)));
        }

        choices.AddRange(record.Consents.Values.Where(c => c.IsInForceAt(now)).OrderBy(c => c.Purpose, StringComparer.Ordinal).Select(c =>
            new ChoiceView("consent", c.Status == ConsentStatus.Permit ? "permit" : "deny", c.Purpose, c.Period, null, null, null, timeline.Reference(c.DecisionId))));
        choices.AddRange(record.Proxies.Where(p => p.IsActiveAt(now)).Select(p =>
            new ChoiceView("proxy", "authorised", null, null, null, p.ProxyId, p.Role, timeline.Reference(p.DecisionId))));

        http.Response.Headers.ETag = ETags.For(record.Version);
        return TypedResults.Ok(new ChoicesResponse(record.Id, record.Version, now, choices));
    }
}
