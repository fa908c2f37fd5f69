using System.Text.Json;
using Marten;
using Npgsql;
using OptOut.Patients;
using OptOut.Security;

namespace OptOut.Audit.Reports;

/// <summary>One use of a patient's record, in terms a patient can be shown: when, who (role and id), why, and what they were told.</summary>
public sealed record AccessLogEntry(long Sequence, DateTimeOffset At, string Kind, string ActorRole, string Actor, string? Purpose, int Outcome, string? Answer, bool ByYou);

/// <summary>A page of the log, newest first; <c>before</c> fetches the next (older) page.</summary>
public sealed record AccessLogResponse(string NhsNumber, IReadOnlyList<AccessLogEntry> Entries, long? Before);

/// <summary>
/// "Who used my record": the audit trail's entries about one patient, for the patient themselves or a proxy acting
/// for them, behind the same object-level checks as their choices. Lists checked in bulk are not named per patient
/// (only their counts and hash are kept), so they cannot appear here; the pages say so.
/// </summary>
public static class AccessLogEndpoint
{
    private const int PageSize = 50;

    public static void MapAccessLog(this IEndpointRouteBuilder api) =>
        api.MapGet("/patients/{nhsNumber}/access-log", Handle)
            .WithName("GetAccessLog")
            .WithSummary("Every recorded use of this patient's record, newest first, for the patient or a proxy acting for them: when, who, for what purpose, and the answer given.")
            .WithDescription("Keyset paged: pass the response's before to get older entries. Bulk-checked lists record only counts and a hash, so they are not listed per patient.")
            .Produces<AccessLogResponse>()
            .RequireAuthorization(p => p.RequireRole(Roles.Patient, Roles.Proxy));

    private static async Task<Results<Ok<AccessLogResponse>, ProblemHttpResult>> Handle(
        string nhsNumber, long? before, IQuerySession session, NpgsqlDataSource database, AuditSchema schema, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        if (QueryRanges.Below("before", before, 1, "an entry sequence from an earlier page") is { } range)
        {
            return Problems.Of(Problems.InvalidQuery, range);
        }

        var (record, problem) = await session.LoadForCallerAsync(nhsNumber, http.User, clock.GetUtcNow(), ct);
        if (record is null)
        {
            return problem!;
        }

        var you = Caller.From(http.User).Subject;
        var entries = new List<AccessLogEntry>();
        await using (var command = database.CreateCommand(
            $"select seq, recorded_at, kind, actor_role, actor, purpose, outcome, details from {schema.Table} " +
            "where nhs_number = any(@numbers) and seq < @before order by seq desc limit @limit"))
        {
            command.Parameters.AddWithValue("numbers", record.Supersedes.Prepend(record.Id).ToArray());
            command.Parameters.AddWithValue("before", before ?? long.MaxValue);
            command.Parameters.AddWithValue("limit", PageSize);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var actor = reader.GetString(4);
                entries.Add(new AccessLogEntry(
                    reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2), reader.GetString(3), actor,
                    reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetInt32(6), AnswerOf(reader.GetString(7)), actor == you));
            }
        }

        return TypedResults.Ok(new AccessLogResponse(record.Id, entries, entries.Count == PageSize ? entries[^1].Sequence : null));
    }

    private static string? AnswerOf(string details) =>
        JsonDocument.Parse(details).RootElement.TryGetProperty("answer", out var answer) ? answer.GetString() : null;
}
