using Marten;
using OptOut.Http;
using OptOut.Security;

namespace OptOut.Patients.GetPreferences;

public static class GetPreferencesEndpoint
{
    public static void MapGetPreferences(this IEndpointRouteBuilder api) =>
        api.MapGet("/patients/{nhsNumber}/preferences", Handle)
            .WithName("GetPreferences")
            .WithSummary("A patient's current choices. A patient who never chose is not opted out, at version 0.")
            .RequireAuthorization(p => p.RequireRole(Roles.Patient, Roles.Proxy, Roles.Admin, Roles.Dpo));

    private static async Task<Results<Ok<PreferencesResponse>, ProblemHttpResult>> Handle(
        string nhsNumber, IQuerySession session, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var (record, problem) = await session.LoadForCallerAsync(nhsNumber, http.User, now, ct);
        if (record is null)
        {
            return problem!;
        }

        http.Response.Headers.ETag = ETags.For(record.Version);
        return TypedResults.Ok(PreferencesResponse.From(record, now));
    }
}
