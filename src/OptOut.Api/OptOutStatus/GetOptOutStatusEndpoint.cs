using Marten;
using OptOut.Http;
using OptOut.NhsNumbers;
using OptOut.Patients;
using OptOut.Security;

namespace OptOut.OptOutStatus;

/// <summary>For extract pipelines: whether the national data opt-out applies to an NHS number now, and nothing more.</summary>
public sealed record OptOutStatusResponse(string NhsNumber, bool OptedOut, long Version);

public static class GetOptOutStatusEndpoint
{
    public static void MapGetOptOutStatus(this IEndpointRouteBuilder api) =>
        api.MapGet("/opt-outs/{nhsNumber}", Handle)
            .WithName("GetOptOutStatus")
            .WithSummary("Whether the national data opt-out applies to this NHS number now. No record means not opted out.")
            .RequireAuthorization(p => p.RequireRole(Roles.Pipeline, Roles.Admin));

    private static async Task<Results<Ok<OptOutStatusResponse>, ProblemHttpResult>> Handle(
        string nhsNumber, IQuerySession session, HttpContext http, CancellationToken ct)
    {
        if (!NhsNumber.TryParse(nhsNumber, out var patient, out var error))
        {
            return Problems.InvalidNhsNumber(error);
        }

        var preferences = await session.LoadCurrentAsync(patient, ct);
        var version = preferences.Version;
        http.Response.Headers.ETag = ETags.For(version);
        return TypedResults.Ok(new OptOutStatusResponse(patient.Value, preferences.NationalDataOptOut.OptedOut, version));
    }
}
