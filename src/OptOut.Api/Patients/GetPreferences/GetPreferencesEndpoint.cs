using System.Security.Claims;
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
            .RequireAuthorization(p => p.RequireRole(Roles.Patient, Roles.Admin, Roles.Dpo));

    private static async Task<Results<Ok<PreferencesResponse>, ProblemHttpResult>> Handle(
        string nhsNumber, ClaimsPrincipal user, IQuerySession session, HttpContext http, CancellationToken ct)
    {
        if (PatientAccess.Resolve(nhsNumber, user, out var patient) is { } problem)
        {
            return problem;
        }

        var preferences = await session.LoadAsync<PatientPreferences>(patient.Value, ct) ?? PatientPreferences.Empty(patient.Value);
        http.Response.Headers.ETag = ETags.For(preferences.Version);
        return TypedResults.Ok(PreferencesResponse.From(preferences));
    }
}
