using OptOut.Http;
using OptOut.NhsNumbers;
using OptOut.Patients;
using OptOut.Records;
using OptOut.Security;

namespace OptOut.Type1OptOut;

public static class RecordType1OptOutEndpoint
{
    public static void MapRecordType1OptOut(this IEndpointRouteBuilder api) =>
        api.MapPut("/patients/{nhsNumber}/type-1-opt-out", Handle)
            .WithName("RecordType1OptOut")
            .WithSummary("A GP practice records (dissent: true) or withdraws (false) a patient's Type 1 opt-out, with its own ODS code.")
            .ProducesPatientWrite()
            .Validates<Type1OptOutRequest>()
            .RequireAuthorization(p => p.RequireRole(Roles.Practice));

    private static async Task<IResult> Handle(
        string nhsNumber,
        Type1OptOutRequest request,
        PatientWrites writes,
        HttpContext http,
        CancellationToken ct)
    {
        var patient = NhsNumber.Parse(nhsNumber);

        if (Caller.From(http.User).OdsCode != request.PracticeOdsCode)
        {
            return Problems.Refused("A practice records a Type 1 opt-out only under its own ODS code, the one its token carries.");
        }

        return await writes.ExecuteAsync(http, patient, request, (state, caller, now) =>
        {
            var by = PatientAccess.RecordedBy(caller);
            var command = new RecordType1OptOut(DecisionContext.For(state, by, request.EffectiveAt, now), request.Dissent!.Value, request.PracticeOdsCode!, request.Code!);
            return Type1OptOutDecider.Decide(state, command);
        }, ct);
    }
}
