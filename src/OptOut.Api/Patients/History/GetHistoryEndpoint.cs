using System.Text.Json;
using System.Text.Json.Nodes;
using JasperFx.Events;
using Marten;
using OptOut.Decisions;
using OptOut.Http;
using OptOut.Security;

namespace OptOut.Patients.History;

/// <summary>One decision in a patient's history: what, who decided in what capacity (the same shape as everywhere), through which channel, and when.</summary>
/// <param name="Reference">The change's reference, as the person was given it (<see cref="ChangeReference"/>).</param>
public sealed record HistoryEntry(
    EventReference Event,
    DecidedByView DecidedBy,
    Channel? Channel,
    JsonObject Details,
    string Reference)
{
    // Said once, in Event and DecidedBy, rather than again in each event's own shape.
    private static readonly string[] SaidElsewhere = ["nhsNumber", "decisionId", "decidedBy", "effectiveAt", "recordedAt", "channel"];

    public static HistoryEntry From(IEvent e)
    {
        var data = (IPatientEvent)e.Data;
        var details = JsonSerializer.SerializeToNode(e.Data, e.Data.GetType(), JsonSerializerOptions.Web)!.AsObject();
        foreach (var name in SaidElsewhere)
        {
            details.Remove(name);
        }

        return new HistoryEntry(EventReference.From(e), DecidedByView.From(data.DecidedBy)!, (data as IChannelledEvent)?.Channel, details, ChangeReference.For(data.DecisionId));
    }
}

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
