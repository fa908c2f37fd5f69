using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Marten;
using OptOut.Patients;
using OptOut.Security;

namespace OptOut.Fhir;

public static class GetConsentsEndpoint
{
    private static readonly JsonSerializerOptions Fhir = new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector);

    public static void MapFhirConsents(this IEndpointRouteBuilder app) =>
        app.MapGet("/fhir/r4/Consent", Handle)
            .WithName("SearchConsents")
            .WithSummary("The patient's choices as FHIR R4 Consent resources in a searchset Bundle (application/fhir+json).")
            .RequireAuthorization(p => p.RequireRole(Roles.Pipeline, Roles.Dpo, Roles.Patient))
            .AddEndpointFilter(Audit.AuditMiddleware.RecordBeforeAnswerAsync);

    private static async Task<IResult> Handle(string? patient, IQuerySession session, ConsentResources resources, TimeProvider clock, HttpContext http, CancellationToken ct)
    {
        // FHIR search may name the identifier system: patient=https://fhir.nhs.uk/Id/nhs-number|9434765919.
        var value = patient?.Split('|') is [var system, var number] && system == ConsentResources.NhsNumberSystem ? number : patient;
        if (value is null || PatientAccess.ParseNhsNumber(value, out var nhs) is { } invalid)
        {
            return Problems.Of(Problems.InvalidQuery, "patient is required: an NHS number, optionally as https://fhir.nhs.uk/Id/nhs-number|NNNNNNNNNN.");
        }

        var now = clock.GetUtcNow();
        var record = await session.LoadCurrentAsync(nhs, ct);
        if (PatientAccess.Check(Caller.From(http.User), record, now) is { } denied)
        {
            return denied;
        }

        return TypedResults.Text(JsonSerializer.Serialize(resources.SearchSet(record, now), Fhir), "application/fhir+json");
    }
}
