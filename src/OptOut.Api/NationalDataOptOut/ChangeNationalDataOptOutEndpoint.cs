using OptOut.Http;
using OptOut.NhsNumbers;
using OptOut.Patients;
using OptOut.Records;
using OptOut.Security;

namespace OptOut.NationalDataOptOut;

public static class ChangeNationalDataOptOutEndpoint
{
    public static void MapChangeNationalDataOptOut(this IEndpointRouteBuilder api) =>
        api.MapPut("/patients/{nhsNumber}/national-data-opt-out", Handle)
            .WithName("ChangeNationalDataOptOut")
            .WithSummary("Set (optedOut: true) or withdraw (optedOut: false) the national data opt-out. GP practices cannot set it.")
            .ProducesPatientWrite()
            .Validates<NationalDataOptOutRequest>()
            .RequireAuthorization(p => p.RequireRole(Roles.Patient, Roles.Proxy, Roles.Admin));

    private static async Task<IResult> Handle(
        string nhsNumber,
        NationalDataOptOutRequest request,
        PatientWrites writes,
        HttpContext http,
        CancellationToken ct)
    {
        var patient = NhsNumber.Parse(nhsNumber);
        var caller = Caller.From(http.User);

        if (SelfService.Check(caller, request.Channel!.Value, request.OnBehalfOf is not null, request.CaseReference, request.EffectiveAt, request.PatientBirthDate) is { } refused)
        {
            return refused;
        }

        // Staff hear or read who is deciding; only the patient's age tells whether that person may (see the decider).
        if (caller.Role == Roles.Admin && request.PatientBirthDate is null)
        {
            return Problems.InvalidFields(new Dictionary<string, string[]>
            {
                ["patientBirthDate"] = ["patientBirthDate is required when staff record a choice: a patient decides for themselves from 13, a parent or guardian only until then."],
            });
        }

        return await writes.ExecuteAsync(http, patient, request, (state, caller, now) =>
        {
            var by = PatientAccess.DecisionMakerFor(caller, state, now, request.OnBehalfOf?.Role, request.OnBehalfOf?.EvidenceReference, request.CaseReference);
            var command = new ChangeNationalDataOptOut(DecisionContext.For(state, by, request.EffectiveAt, now), request.OptedOut!.Value, request.Channel!.Value, request.NoticeVersion,
                request.PatientBirthDate);
            return NationalDataOptOutDecider.Decide(state, command);
        }, ct);
    }
}
