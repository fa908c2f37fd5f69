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

        if (SelfService.Check(Caller.From(http.User), request.Channel!.Value, request.OnBehalfOf is not null, request.CaseReference, request.EffectiveAt) is { } refused)
        {
            return refused;
        }

        return await writes.ExecuteAsync(http, patient, request, (state, caller, now) =>
        {
            var by = PatientAccess.DecisionMakerFor(caller, state, now, request.OnBehalfOf?.Role, request.OnBehalfOf?.EvidenceReference, request.CaseReference);
            var command = new ChangeNationalDataOptOut(DecisionContext.For(state, by, request.EffectiveAt, now), request.OptedOut!.Value, request.Channel!.Value, request.NoticeVersion,
                request.OnBehalfOf?.PatientBirthDate);
            return NationalDataOptOutDecider.Decide(state, command);
        }, ct);
    }
}
