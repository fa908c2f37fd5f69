using Marten;
using OptOut.Decisions;
using OptOut.Http;
using OptOut.Security;

namespace OptOut.Patients.History;

/// <summary>One decision in a patient's history: what, who, in what capacity, through which channel, and when.</summary>
public sealed record HistoryEntry(
    EventReference Event,
    string ActorId,
    string ActorRole,
    string Capacity,
    ProxyRole? ProxyRole,
    string? EvidenceReference,
    string? CaseReference,
    Channel? Channel,
    object Details);

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
        var entries = timeline.Events.Where(e => e.Data is IPatientEvent).Select(e =>
        {
            var data = (IPatientEvent)e.Data;
            var by = data.DecidedBy;
            return new HistoryEntry(EventReference.From(e), by.ActorId, by.ActorRole, DecidedByView.From(by)!.Capacity,
                by.ProxyRole, by.EvidenceReference, by.CaseReference, ChannelOf(data), e.Data);
        }).ToList();

        http.Response.Headers.ETag = ETags.For(record.Version);
        return TypedResults.Ok(new HistoryResponse(record.Id, record.Supersedes, entries));
    }

    private static Channel? ChannelOf(IPatientEvent e) => (e as IChannelledEvent)?.Channel;
}
