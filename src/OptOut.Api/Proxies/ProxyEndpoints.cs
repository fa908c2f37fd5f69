using OptOut.Records;
using OptOut.Http;
using OptOut.NhsNumbers;
using OptOut.Patients;
using OptOut.Security;

namespace OptOut.Proxies;

public static class ProxyEndpoints
{
    public static void MapProxies(this IEndpointRouteBuilder api)
    {
        api.MapPost("/patients/{nhsNumber}/proxies", Authorise)
            .WithName("AuthoriseProxy")
            .WithSummary("Staff authorise a person to act for the patient (guardian, power-of-attorney, court-deputy) after checking the evidence.")
            .ProducesPatientWrite()
            .Validates<ProxyRequest>()
            .RequireAuthorization(p => p.RequireRole(Roles.Admin));

        api.MapDelete("/patients/{nhsNumber}/proxies/{proxyId}", Revoke)
            .WithName("RevokeProxy")
            .WithSummary("Staff revoke a proxy's authority. ?reason= is kept with the decision.")
            .ProducesPatientWrite()
            .ValidatesPatientPath()
            .RequireAuthorization(p => p.RequireRole(Roles.Admin));
    }

    private static async Task<IResult> Authorise(
        string nhsNumber, ProxyRequest request, PatientWrites writes, HttpContext http, CancellationToken ct)
    {
        var patient = NhsNumber.Parse(nhsNumber);

        return await writes.ExecuteAsync(http, patient, request, (state, caller, now) =>
        {
            var by = PatientAccess.RecordedBy(caller);
            return ProxyDecider.Decide(state, new AuthoriseProxy(DecisionContext.For(state, by, null, now),
                request.ProxyId!, request.Role!.Value, request.EvidenceReference!, request.ValidUntil, request.PatientBirthDate));
        }, ct);
    }

    private static async Task<IResult> Revoke(
        string nhsNumber, string proxyId, string? reason, PatientWrites writes, HttpContext http, CancellationToken ct)
    {
        var patient = NhsNumber.Parse(nhsNumber);

        if (reason is { Length: > 256 })
        {
            return Problems.Of(Problems.InvalidQuery, "reason is at most 256 characters.");
        }

        return await writes.ExecuteAsync(http, patient, proxyId + "\n" + reason, (state, caller, now) =>
        {
            var by = PatientAccess.RecordedBy(caller);
            return ProxyDecider.Decide(state, new RevokeProxy(DecisionContext.For(state, by, null, now), proxyId, reason));
        }, ct);
    }
}
