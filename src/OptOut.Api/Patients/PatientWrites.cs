using System.Security.Claims;
using System.Text.Json;
using JasperFx;
using Marten;
using Marten.Exceptions;
using Microsoft.Extensions.Options;
using OptOut.Decisions;
using OptOut.Http;
using OptOut.Idempotency;
using OptOut.NhsNumbers;
using OptOut.Security;

namespace OptOut.Patients;

/// <summary>What a decider made of a request: events to append (none for a no-op), or a refusal.</summary>
public sealed record Decided(object[] Events, ProblemHttpResult? Refused = null)
{
    public static Decided Refuse(ProblemHttpResult problem) => new([], problem);
}

/// <summary>
/// The one write path every change to a patient's record takes: idempotency, If-Match, supersession,
/// object-level authorization, then FetchForWriting, decide, append and save in one transaction.
/// </summary>
public sealed class PatientWrites(
    IDocumentSession session, TimeProvider clock, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json,
    PipelineChecks.OptOutIndex index, Audit.AuditSchema auditSchema, Audit.AuditLog auditLog)
{
    /// <summary>The global sequence of the last event a write appended.</summary>
    public const string SequenceHeader = "OptOut-Sequence";

    public async Task<IResult> ExecuteAsync<TRequest>(
        HttpContext http,
        NhsNumber requested,
        TRequest request,
        Func<PatientPreferences, Caller, DateTimeOffset, Decided> decide,
        CancellationToken ct)
    {
        var caller = Caller.From(http.User);
        var idempotencyKey = http.Request.Headers[IdempotencyKeys.Header].FirstOrDefault();
        if (IdempotencyKeys.Validate(idempotencyKey) is { } badKey)
        {
            return badKey;
        }

        if (!ETags.TryParseIfMatch(http.Request.Headers.IfMatch.FirstOrDefault(), out var expectedVersion))
        {
            return Problems.BadIfMatch();
        }

        var replay = new Replay(session, idempotencyKey is null ? null : IdempotencyKeys.DocumentId(caller.Subject, idempotencyKey),
            IdempotencyKeys.HashOf(http.Request.Method + " " + http.Request.Path, request));
        var now = clock.GetUtcNow();
        try
        {
            session.CorrelationId = http.TraceIdentifier;
            var id = requested.Value;
            var stream = await session.Events.FetchForWriting<PatientPreferences>(id, ct);
            if (stream.Aggregate?.SupersededBy is not null)
            {
                // Merged records are rare: only then is the number that replaced this one looked up.
                id = (await session.LoadCurrentAsync(requested, ct)).Id;
                stream = await session.Events.FetchForWriting<PatientPreferences>(id, ct);
            }

            var state = (stream.Aggregate ?? PatientPreferences.Empty(id)) with { Version = stream.CurrentVersion ?? 0 };

            // Access first, replay second: a stored answer is released only to a caller who may see the record now
            // (a proxy whose authority was revoked since, or another patient sharing a token subject, gets a 403).
            if (PatientAccess.Check(caller, state, now) is { } denied)
            {
                return denied;
            }

            if (await replay.FindAsync(ct) is { } earlier)
            {
                return replay.IsSameRequest(earlier) ? await replay.SendAsync(earlier, http, ct) : IdempotencyKeys.KeyReused();
            }

            // FetchForWriting also asserts at save that nobody appended since this read.
            if (expectedVersion is { } expected && expected != state.Version)
            {
                return Problems.Stale(expectedVersion);
            }

            var decided = decide(state, caller, now);
            if (decided.Refused is { } refused)
            {
                return refused;
            }

            var after = state.After(decided.Events);
            if (decided.Events.Length > 0)
            {
                stream.AppendMany(decided.Events);
                // The change's audit entry commits with it: no acknowledged change can lack one, whatever crashes next.
                Audit.ChangeAudit.RecordWith(session, auditSchema, Audit.AuditMiddleware.RecordFor(http, StatusCodes.Status200OK), stream.Events.Select(e => e.Id));
            }

            var response = PreferencesResponse.From(after, now);
            // The event's id is known before the commit and its sequence only after, so a replay looks the sequence up by id.
            Guid? lastEvent = decided.Events.Length > 0 ? stream.Events[^1].Id : null;
            replay.Remember(JsonSerializer.Serialize(response, json.Value.SerializerOptions), after.Version, lastEvent, now);
            // Not cancelled by a client that hangs up: a transaction abandoned after taking sequence numbers leaves a
            // gap that holds back the daemon's high-water mark, and with it every subscriber, until Marten gives up on it.
            await session.SaveChangesAsync(CancellationToken.None);

            long? sequence = lastEvent is null ? null : stream.Events[^1].Sequence;
            if (sequence is not null)
            {
                Audit.AuditMiddleware.MarkRecorded(http);
                auditLog.ChainPending();
            }

            if (sequence is { } acknowledged && decided.Events.Any(e => StoredEvents.IsIndexed(e.GetType())))
            {
                index.Acknowledged(NhsNumber.Parse(id).Base, acknowledged);
            }

            Replay.SetHeaders(http, ETags.For(after.Version), sequence);
            return TypedResults.Ok(response);
        }
        catch (Exception ex) when (ex is ConcurrencyException or ExistingStreamIdCollisionException or DocumentAlreadyExistsException)
        {
            // A retry racing its own first attempt finds the first attempt's response here.
            if (await replay.FindAsync(ct) is { } raced)
            {
                return replay.IsSameRequest(raced) ? await replay.SendAsync(raced, http, ct) : IdempotencyKeys.KeyReused();
            }

            return expectedVersion is null ? Problems.Concurrent() : Problems.Stale(expectedVersion);
        }
    }

    /// <summary>The context every command carries, for the record being written.</summary>
    public static DecisionContext Context(PatientPreferences state, DecisionMaker by, DateTimeOffset? effectiveAt, DateTimeOffset now) =>
        new(NhsNumber.Parse(state.Id), by, Guid.CreateVersion7(now), effectiveAt ?? now, now);
}
