using Microsoft.Extensions.Options;
using OptOut.Patients;
using OptOut.Security;
using OptOut.Indexing;

namespace OptOut.PipelineChecks;

/// <summary>For extract pipelines: whether each opt-out applies to an NHS number now, and the event sequence the answer reflects.</summary>
public sealed record OptOutStatusResponse(string NhsNumber, bool OptedOut, bool Type1OptOut, long Sequence);

public static class GetOptOutStatusEndpoint
{
    public static void MapGetOptOutStatus(this IEndpointRouteBuilder api) =>
        api.MapGet("/opt-outs/{nhsNumber}", Handle)
            .WithName("GetOptOutStatus")
            .WithSummary("Whether the national data opt-out (optedOut) and a GP Type 1 opt-out apply to this NHS number now, from the in-memory index.")
            .WithDescription("minSequence demands an answer that reflects at least that event sequence (503 if the index cannot catch up in time). No record means not opted out. The two opt-outs alone, for no purpose: whether a use may go ahead (a refusal of consent included) is GET /v1/decisions or a bulk check.")
            .RequireAuthorization(p => p.RequireRole(Roles.Pipeline, Roles.Admin));

    private static async Task<Results<Ok<OptOutStatusResponse>, ProblemHttpResult>> Handle(
        string nhsNumber, long? minSequence, OptOutIndex index, IOptions<OptOutIndexOptions> options, EventStore.CommittedEvents committed, Npgsql.NpgsqlDataSource database,
        HttpContext http, CancellationToken ct)
    {
        if (PatientAccess.ParseNhsNumber(nhsNumber, out var patient) is { } invalid)
        {
            return invalid;
        }

        if (await IndexReads.AwaitAsync(index, minSequence, index.AcknowledgedFor(patient.Base), options.Value.MaxWait, token => committed.LatestSequenceAsync(database, token), ct) is { } behind)
        {
            return behind;
        }

        // Read the sequence first: the answer reflects at least that much.
        var sequence = index.Sequence;
        // The patient's own access log shows what each look-up was told.
        Audit.AuditMiddleware.AddDetail(http, "answer", index.HasNationalOptOut(patient) ? "opted-out" : "not-opted-out");
        return TypedResults.Ok(new OptOutStatusResponse(patient.Value, index.HasNationalOptOut(patient), index.HasType1OptOut(patient), sequence));
    }
}
