using System.Text.Json;
using System.Text.Json.Nodes;
using JasperFx.Events;
using Marten;
using OptOut.Records;
using OptOut.Http;
using OptOut.Security;
using OptOut.Patients;

namespace OptOut.Patients.History;

public sealed record HistoryResponse(string NhsNumber, IReadOnlyList<string> Supersedes, IReadOnlyList<HistoryEntry> Decisions);

public static class GetHistoryEndpoint
{
    public static void MapGetHistory(this IEndpointRouteBuilder api) =>
        api.MapGet("/patients/{nhsNumber}/history", Handle)
            .WithName("GetHistory")
            .WithSummary("Every decision on the patient's record, in the order OptOut recorded it, with actor, capacity, channel, effective and recorded times.")
            .RequireAuthorization(p => p.RequireRole(Roles.Patient, Roles.Proxy, Roles.Dpo));

    private static async Task<Results<Ok<HistoryResponse>, ProblemHttpResult>> Handle(
        string nhsNumber, IQuerySession session, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var (record, problem) = await session.LoadForCallerAsync(nhsNumber, http.User, clock.GetUtcNow(), ct);
        if (record is null)
        {
            return problem!;
        }

        var timeline = await PatientTimeline.LoadAsync(session, record, ct);
        var entries = timeline.Events.Where(e => e.Data is IPatientEvent).Select(HistoryEntry.From).ToList();

        http.Response.Headers.ETag = ETags.For(record.Version);
        return TypedResults.Ok(new HistoryResponse(record.Id, record.Supersedes, entries));
    }

}
