using FluentValidation;
using JasperFx;
using Marten;
using Marten.Exceptions;
using OptOut.Decisions;
using OptOut.Http;
using OptOut.NhsNumbers;
using OptOut.Patients;
using OptOut.Security;

namespace OptOut.Supersession;

/// <summary>The body of POST /v1/patients/{nhsNumber}/supersession.</summary>
public sealed record SupersessionRequest(string? NewNhsNumber)
{
    public sealed class Validator : AbstractValidator<SupersessionRequest>
    {
        public Validator() =>
            RuleFor(r => r.NewNhsNumber).Custom((value, context) =>
            {
                if (!NhsNumber.TryParse(value, out _, out var error))
                {
                    context.AddFailure("newNhsNumber", error);
                }
            });
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
            .RequireAuthorization(p => p.RequireRole(Roles.Admin));

    private static async Task<IResult> Handle(
        string nhsNumber, SupersessionRequest request, IValidator<SupersessionRequest> validator,
        IDocumentSession session, TimeProvider clock, HttpContext http, Audit.AuditSchema auditSchema, Audit.AuditLog auditLog, CancellationToken ct)
    {
        if (PatientAccess.ParseNhsNumber(nhsNumber, out var old) is { } invalid)
        {
            return invalid;
        }

        var validation = await validator.ValidateAsync(request, ct);
        if (!validation.IsValid)
        {
            return Problems.InvalidFields(validation.ToDictionary());
        }

        var replacement = NhsNumber.Parse(request.NewNhsNumber!);
        if (replacement == old)
        {
            return Problems.Unprocessable("An NHS number cannot supersede itself.");
        }

        var now = clock.GetUtcNow();
        var caller = Caller.From(http.User);
        try
        {
            session.CorrelationId = http.TraceIdentifier;
            var oldStream = await session.Events.FetchForWriting<PatientPreferences>(old.Value, ct);
            var newStream = await session.Events.FetchForWriting<PatientPreferences>(replacement.Value, ct);
            var oldRecord = (oldStream.Aggregate ?? PatientPreferences.Empty(old.Value)) with { Version = oldStream.CurrentVersion ?? 0 };
            var newRecord = (newStream.Aggregate ?? PatientPreferences.Empty(replacement.Value)) with { Version = newStream.CurrentVersion ?? 0 };

            if (oldRecord.SupersededBy == replacement.Value)
            {
                return Respond(newRecord, now, http);
            }

            if (oldRecord.SupersededBy is not null || newRecord.SupersededBy is not null || oldRecord.Supersedes.Contains(replacement.Value))
            {
                return Problems.Of(Problems.AlreadySuperseded, "One of these numbers has already been merged into another record. Merge into the number that stands now.");
            }

            var by = new DecisionMaker(caller.Subject, caller.Role, null, null, null);
            var decision = Guid.CreateVersion7(now);
            oldStream.AppendOne(new NhsNumberSuperseded(old, decision, by, replacement, now, now));
            var merged = new SupersededRecordMerged(replacement, decision, by, old, oldRecord, now, now);
            newStream.AppendOne(merged);
            Audit.ChangeAudit.RecordWith(session, auditSchema, Audit.AuditMiddleware.RecordFor(http, StatusCodes.Status200OK),
                oldStream.Events.Concat(newStream.Events).Select(e => e.Id));
            // Not cancelled by a client that hangs up: a transaction abandoned after taking sequence numbers leaves a
            // gap that holds back the daemon's high-water mark, and with it every subscriber, until Marten gives up on it.
            await session.SaveChangesAsync(CancellationToken.None);
            Audit.AuditMiddleware.MarkRecorded(http);
            auditLog.ChainPending();
            return Respond(newRecord.After([merged]), now, http);
        }
        catch (Exception ex) when (ex is ConcurrencyException or ExistingStreamIdCollisionException)
        {
            return Problems.Concurrent();
        }
    }

    private static Ok<PreferencesResponse> Respond(PatientPreferences record, DateTimeOffset now, HttpContext http)
    {
        http.Response.Headers.ETag = ETags.For(record.Version);
        return TypedResults.Ok(PreferencesResponse.From(record, now));
    }
}
