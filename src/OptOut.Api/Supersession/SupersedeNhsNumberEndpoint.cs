using FluentValidation;
using OptOut.Records;
using OptOut.Http;
using OptOut.Patients;
using OptOut.Security;
using OptOut.NhsNumbers;

namespace OptOut.Supersession;

/// <summary>The body of POST /v1/patients/{nhsNumber}/supersession.</summary>
public sealed record SupersessionRequest(string? NewNhsNumber)
{
    public sealed class Validator : AbstractValidator<SupersessionRequest>
    {
        public Validator()
        {
            RuleFor(r => r.NewNhsNumber).NotEmpty().WithMessage("newNhsNumber is required: the NHS number that replaces this one.");
            RuleFor(r => r.NewNhsNumber).Custom((value, context) =>
            {
                if (!string.IsNullOrEmpty(value) && !NhsNumber.TryParse(value, out _, out var error))
                {
                    context.AddFailure("newNhsNumber", error);
                }
            });
        }
    }
}

public static class SupersedeNhsNumberEndpoint
{
    public static void MapSupersession(this IEndpointRouteBuilder api) =>
        api.MapPost("/patients/{nhsNumber}/supersession", Handle)
            .WithName("SupersedeNhsNumber")
            .WithSummary("Staff record that an NHS number was replaced when two records merged: its choices follow the patient to the new number.")
            .WithDescription("Repeating a supersession already recorded records nothing. Either number then answers for both.")
            .Produces<PreferencesResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .Validates<SupersessionRequest>()
            .RequireAuthorization(p => p.RequireRole(Roles.Admin));

    private static async Task<IResult> Handle(
        string nhsNumber, SupersessionRequest request, PatientWrites writes, Marten.IQuerySession session, HttpContext http, CancellationToken ct)
    {
        var old = NhsNumber.Parse(nhsNumber);

        var replacement = NhsNumber.Parse(request.NewNhsNumber!);
        if (replacement == old)
        {
            return Problems.Unprocessable("An NHS number cannot supersede itself.");
        }

        // Where each number stands after every merge, for a refusal to name; merges are rare, so two reads more are cheap.
        var standing = new Dictionary<string, string>
        {
            [old.Value] = (await session.LoadCurrentAsync(old, ct)).Id,
            [replacement.Value] = (await session.LoadCurrentAsync(replacement, ct)).Id,
        };

        // Through the shared write path, as every change is: Idempotency-Key, If-Match (on the superseded record),
        // the audit record in the same transaction, and read-after-acknowledgement for the index.
        return await writes.ExecuteAsync(http, old, replacement, request, (oldRecord, newRecord, caller, now) =>
            SupersessionDecider.Decide(oldRecord, newRecord!, PatientAccess.RecordedBy(caller), now, n => standing.GetValueOrDefault(n, n)), ct);
    }
}
