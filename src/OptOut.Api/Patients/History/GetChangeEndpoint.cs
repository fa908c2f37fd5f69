using Marten;
using Npgsql;
using OptOut.Audit;
using OptOut.Records;
using OptOut.Http;
using OptOut.Security;
using OptOut.Patients;

namespace OptOut.Patients.History;

/// <param name="Decisions">What the change recorded on this person's record, one entry an event.</param>
public sealed record ChangeResponse(string Reference, string NhsNumber, IReadOnlyList<HistoryEntry> Decisions);

/// <summary>
/// One change on a person's record, found by the reference they were given: what a confirmation page shows, so it says
/// what was recorded, never what an address claims. A reference that is not one of this record's changes is a 404.
/// </summary>
public static class GetChangeEndpoint
{
    public static void MapGetChange(this IEndpointRouteBuilder api)
    {
        api.MapGet("/patients/{nhsNumber}/changes/{reference}", Handle)
            .WithName("GetChange")
            .WithSummary("The change a reference names on this patient's record: each decision it recorded, who made it and when. 404 when the reference is not one of this record's changes.")
            .RequireAuthorization(p => p.RequireRole(Roles.Patient, Roles.Proxy, Roles.Admin, Roles.Dpo));

        // Staff answer a patient who quotes only a reference: the change's audit entry names the record it was made on.
        api.MapGet("/changes/{reference}", FindAsync)
            .WithName("FindChange")
            .WithSummary("The change a reference names, on whichever record it was made: for contact-centre staff and data-protection officers given only a reference. 404 when no change has it.")
            .RequireAuthorization(p => p.RequireRole(Roles.Admin, Roles.Dpo));
    }

    private static async Task<Results<Ok<ChangeResponse>, ProblemHttpResult>> FindAsync(
        string reference, NpgsqlDataSource database, AuditSchema schema, IQuerySession session, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        if (!ChangeReference.TryParse(reference, out var wanted))
        {
            return Problems.Of(Problems.NotFound, "A reference is eight letters and digits, as in 7KQ4-M2XD.");
        }

        // A change's audit record is chained just after the change commits; until then it waits in the pending table.
        await using var command = database.CreateCommand(
            $"(select nhs_number from {schema.Table} where kind = 'change' and (details::jsonb ->> 'reference') = @reference and nhs_number is not null order by seq limit 1) " +
            $"union all (select record ->> 'NhsNumber' from {schema.Pending} where ((record ->> 'Details')::jsonb ->> 'reference') = @reference and record ->> 'NhsNumber' is not null limit 1) limit 1");
        command.Parameters.AddWithValue("reference", wanted);
        return await command.ExecuteScalarAsync(ct) is string nhsNumber
            ? await Handle(nhsNumber, wanted, session, clock, http, ct)
            : Problems.Of(Problems.NotFound, $"No change has reference {wanted}.");
    }

    private static async Task<Results<Ok<ChangeResponse>, ProblemHttpResult>> Handle(
        string nhsNumber, string reference, IQuerySession session, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        if (!ChangeReference.TryParse(reference, out var wanted))
        {
            return Problems.Of(Problems.NotFound, "A reference is eight letters and digits, as in 7KQ4-M2XD.");
        }

        var (record, problem) = await session.LoadForCallerAsync(nhsNumber, http.User, clock.GetUtcNow(), ct);
        if (record is null)
        {
            return problem!;
        }

        var timeline = await PatientTimeline.LoadAsync(session, record, ct);
        var decisions = timeline.Events
            .Where(e => e.Data is IPatientEvent p && ChangeReference.For(p.DecisionId) == wanted)
            .Select(HistoryEntry.From)
            .ToList();
        return decisions.Count == 0
            ? Problems.Of(Problems.NotFound, $"No change with reference {wanted} is on this record.")
            : TypedResults.Ok(new ChangeResponse(wanted, record.Id, decisions));
    }
}
