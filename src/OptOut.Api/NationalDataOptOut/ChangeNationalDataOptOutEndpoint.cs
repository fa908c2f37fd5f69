using System.Security.Claims;
using System.Text.Json;
using FluentValidation;
using JasperFx;
using Marten;
using Marten.Exceptions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using OptOut.Decisions;
using OptOut.Http;
using OptOut.Idempotency;
using OptOut.NhsNumbers;
using OptOut.Patients;
using OptOut.Security;

namespace OptOut.NationalDataOptOut;

public static class ChangeNationalDataOptOutEndpoint
{
    public static void MapChangeNationalDataOptOut(this IEndpointRouteBuilder api) =>
        api.MapPut("/patients/{nhsNumber}/national-data-opt-out", Handle)
            .WithName("ChangeNationalDataOptOut")
            .WithSummary("Set (optedOut: true) or withdraw (optedOut: false) the national data opt-out.")
            .WithDescription("Returns the patient's preferences with their version in ETag. If-Match makes the change conditional on that version (412 if stale). " +
                             "A retry with the same Idempotency-Key returns the first response and records nothing. Asking for the state the patient is already in records nothing.")
            .RequireAuthorization(p => p.RequireRole(Roles.Patient, Roles.Admin));

    private static async Task<Results<Ok<PreferencesResponse>, ContentHttpResult, ValidationProblem, ProblemHttpResult>> Handle(
        string nhsNumber,
        NationalDataOptOutRequest request,
        [FromHeader(Name = "If-Match")] string? ifMatch,
        [FromHeader(Name = IdempotencyKeys.Header)] string? idempotencyKey,
        ClaimsPrincipal user,
        IDocumentSession session,
        IValidator<NationalDataOptOutRequest> validator,
        TimeProvider clock,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json,
        HttpContext http,
        CancellationToken ct)
    {
        if (PatientAccess.Resolve(nhsNumber, user, out var patient) is { } denied)
        {
            return denied;
        }

        var caller = Caller.From(user);
        if (request.OnBehalfOf is not null && caller.Role == Roles.Patient)
        {
            return Problems.Forbidden("A patient token decides for that patient only; a proxy's decision is recorded by staff or with a proxy token.");
        }

        var validation = await validator.ValidateAsync(request, ct);
        if (!validation.IsValid)
        {
            return TypedResults.ValidationProblem(validation.ToDictionary());
        }

        if (IdempotencyKeys.Validate(idempotencyKey) is { } badKey)
        {
            return badKey;
        }

        if (!ETags.TryParseIfMatch(ifMatch, out var expectedVersion))
        {
            return Problems.BadIfMatch();
        }

        var replay = new Replay(session, idempotencyKey is null ? null : IdempotencyKeys.DocumentId(caller.Subject, idempotencyKey),
            IdempotencyKeys.HashOf(http.Request.Path, request));
        if (await replay.FindAsync(ct) is { } earlier)
        {
            return replay.IsSameRequest(earlier) ? Replay.Send(earlier, http) : IdempotencyKeys.KeyReused();
        }

        var now = clock.GetUtcNow();
        var command = new ChangeNationalDataOptOut(
            patient,
            request.OptedOut!.Value,
            new DecisionMaker(caller.Subject, caller.Role, request.OnBehalfOf?.Role, request.OnBehalfOf?.EvidenceReference, request.CaseReference),
            request.Channel!.Value,
            request.NoticeVersion,
            request.EffectiveAt ?? now,
            now);

        try
        {
            session.CorrelationId = http.TraceIdentifier;
            var stream = expectedVersion is { } expected
                ? await session.Events.FetchForWriting<PatientPreferences>(patient.Value, expected, ct)
                : await session.Events.FetchForWriting<PatientPreferences>(patient.Value, ct);

            var current = (stream.Aggregate ?? PatientPreferences.Empty(patient.Value)) with { Version = stream.CurrentVersion ?? 0 };
            var events = NationalDataOptOutDecider.Decide(current, command);
            var after = current.After(events);
            if (events.Length > 0)
            {
                stream.AppendMany(events);
            }

            var response = PreferencesResponse.From(after);
            replay.Remember(JsonSerializer.Serialize(response, json.Value.SerializerOptions), after.Version, now);
            await session.SaveChangesAsync(ct);

            http.Response.Headers.ETag = ETags.For(after.Version);
            return TypedResults.Ok(response);
        }
        catch (Exception ex) when (ex is ConcurrencyException or ExistingStreamIdCollisionException or DocumentAlreadyExistsException)
        {
            // A retry racing its own first attempt finds the first attempt's response here.
            if (await replay.FindAsync(ct) is { } raced)
            {
                return replay.IsSameRequest(raced) ? Replay.Send(raced, http) : IdempotencyKeys.KeyReused();
            }

            return expectedVersion is null ? Problems.ConcurrentChange() : Problems.StaleVersion(expectedVersion);
        }
    }
}
