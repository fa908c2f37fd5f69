using Microsoft.Extensions.Options;
using OptOut.Records;
using OptOut.Http;
using OptOut.NhsNumbers;
using OptOut.Patients;
using OptOut.Security;

namespace OptOut.Consents;

public static class ConsentEndpoints
{
    public static void MapConsents(this IEndpointRouteBuilder api)
    {
        api.MapPut("/patients/{nhsNumber}/consents/{purpose}", Decide)
            .WithName("DecideConsent")
            .WithSummary("Permit or deny the use of the patient's data for a purpose from the catalogue, optionally for a period.")
            .ProducesPatientWrite()
            .Validates<ConsentRequest>()
            .RequireAuthorization(p => p.RequireRole(Roles.Patient, Roles.Proxy));

        api.MapDelete("/patients/{nhsNumber}/consents/{purpose}", Withdraw)
            .WithName("WithdrawConsent")
            .WithSummary("Withdraw the permit or refusal standing for a purpose.")
            .ProducesPatientWrite()
            .ValidatesPatientPath()
            .RequireAuthorization(p => p.RequireRole(Roles.Patient, Roles.Proxy));
    }

    private static async Task<IResult> Decide(
        string nhsNumber, string purpose, ConsentRequest request,
        IOptions<ChoiceCatalogue> catalogue, PatientWrites writes, HttpContext http, CancellationToken ct)
    {
        var patient = NhsNumber.Parse(nhsNumber);

        if (UnknownPurpose(purpose, catalogue.Value) is { } unknown)
        {
            return unknown;
        }

        var channel = request.Channel ?? Channel.NhsApp;
        if (SelfService.Check(Caller.From(http.User), channel) is { } refused)
        {
            return refused;
        }

        return await writes.ExecuteAsync(http, patient, request, (state, caller, now) =>
        {
            var by = PatientAccess.DecisionMakerFor(caller, state, now, null, null, null);
            var command = new DecideConsent(DecisionContext.For(state, by, null, now), purpose,
                request.Decision == ConsentDecision.Permit, request.Period, channel, request.NoticeVersion);
            return new Decided(ConsentDecider.Decide(state, command));
        }, ct);
    }

    private static async Task<IResult> Withdraw(
        string nhsNumber, string purpose, IOptions<ChoiceCatalogue> catalogue, PatientWrites writes, HttpContext http, CancellationToken ct)
    {
        var patient = NhsNumber.Parse(nhsNumber);

        if (UnknownPurpose(purpose, catalogue.Value) is { } unknown)
        {
            return unknown;
        }

        return await writes.ExecuteAsync(http, patient, purpose, (state, caller, now) =>
        {
            var by = PatientAccess.DecisionMakerFor(caller, state, now, null, null, null);
            return new Decided(ConsentDecider.Decide(state, new WithdrawConsent(DecisionContext.For(state, by, null, now), purpose, Channel.NhsApp)));
        }, ct);
    }

    internal static ProblemHttpResult? UnknownPurpose(string purpose, ChoiceCatalogue catalogue) =>
        catalogue.Purposes.ContainsKey(purpose) ? null : Problems.Of(Problems.NotFound, $"The purpose is not in the catalogue. Known purposes: {string.Join(", ", catalogue.Purposes.Keys.Order(StringComparer.Ordinal))}.");
}
