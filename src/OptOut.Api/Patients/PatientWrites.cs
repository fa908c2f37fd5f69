using System.Text.Json;
using JasperFx;
using JasperFx.Events;
using ExistingStreamIdCollisionException = Marten.Exceptions.ExistingStreamIdCollisionException;
using Marten;
using Marten.Events;
using Marten.Exceptions;
using Microsoft.Extensions.Options;
using OptOut.Audit;
using OptOut.Records;
using OptOut.Idempotency;
using OptOut.Security;
using OptOut.NhsNumbers;

namespace OptOut.Patients;

/// <summary>
/// The HTTP edge of every change a caller makes to a patient's record: identity assurance, idempotency, If-Match and
/// object-level authorization around the write through <see cref="RecordWriter"/> (fetch, the feature's decision,
/// append, commit); a refusal becomes its problem here, and the answer goes back with its headers.
/// </summary>
public sealed class PatientWrites(
    IDocumentSession session, IDocumentStore store, TimeProvider clock, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json,
    RecordWriter writer, IOptions<IdentityAssurance> assurance, IOptions<IssuedNumbers> issued)
{
    /// <summary>
    /// How often a write without If-Match is decided again after another change to the record committed first. The
    /// caller asked for no precondition, so losing such a race is OptOut's business, not theirs: one request must not
    /// fail because another landed a moment earlier. An attempt loses only to another request's commit, and each request
    /// commits once, so this many attempts carry every request of a burst of this many on one record (a patient and staff
    /// at the same moment are two); beyond that the caller gets the 409 and retries.
    /// </summary>
    private const int AttemptsWithoutPrecondition = 8;

    /// <summary>A change to one patient's record; a write to a superseded number lands on the record that replaced it.</summary>
    public Task<IResult> ExecuteAsync<TRequest>(
        HttpContext http, NhsNumber requested, TRequest request, Func<PatientPreferences, Caller, DateTimeOffset, Decided> decide, CancellationToken ct) =>
        ExecuteAsync(http, requested, null, request, (state, _, caller, now) => decide(state, caller, now), ct);

    /// <summary>
    /// A change that names two records exactly as given (a merge: the superseded number and the one that replaces it),
    /// both fetched for writing so a concurrent change to either fails the whole write. If-Match applies to the first.
    /// </summary>
    public async Task<IResult> ExecuteAsync<TRequest>(
        HttpContext http,
        NhsNumber requested,
        NhsNumber? related,
        TRequest request,
        Func<PatientPreferences, PatientPreferences?, Caller, DateTimeOffset, Decided> decide,
        CancellationToken ct)
    {
        var caller = Caller.From(http.User);
        if (assurance.Value.Refuses(caller) is { } unproven)
        {
            return unproven;
        }

        if ((issued.Value.Refusal(requested, "The NHS number") ?? (related is { } other ? issued.Value.Refusal(other, "newNhsNumber") : null)) is { } outside)
        {
            return Problems.Unprocessable(outside);
        }

        var idempotencyKey = http.Request.Headers[IdempotencyKeys.Header].FirstOrDefault();
        if (IdempotencyKeys.Validate(idempotencyKey) is { } badKey)
        {
            return badKey;
        }

        if (!ETags.TryParseIfMatch(http.Request.Headers.IfMatch.FirstOrDefault(), out var expectedVersion))
        {
            return Problems.BadIfMatch();
        }

        var (keyDocument, requestHash) = (idempotencyKey is null ? null : IdempotencyKeys.DocumentId(caller.Subject, idempotencyKey),
            IdempotencyKeys.HashOf(http.Request.Method + " " + http.Request.Path, request));
        for (var attempt = 1; ; attempt++)
        {
            // A failed save leaves its unit of work behind, so each attempt after the first has a session of its own.
            await using var fresh = attempt == 1 ? null : store.LightweightSession();
            var answered = await AttemptAsync(http, fresh ?? session, new Replay(fresh ?? session, keyDocument, requestHash), caller, expectedVersion,
                requested, related, decide, ct);
            if (answered is not null)
            {
                return answered;
            }

            if (attempt == AttemptsWithoutPrecondition)
            {
                return Problems.Concurrent();
            }
        }
    }

    /// <summary>One fetch, decision and commit; null when a write without If-Match lost a race and should be decided again.</summary>
    private async Task<IResult?> AttemptAsync(
        HttpContext http,
        IDocumentSession writing,
        Replay replay,
        Caller caller,
        long? expectedVersion,
        NhsNumber requested,
        NhsNumber? related,
        Func<PatientPreferences, PatientPreferences?, Caller, DateTimeOffset, Decided> decide,
        CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        try
        {
            writing.CorrelationId = http.TraceIdentifier;

            // One round trip: the record (its version and snapshot), the merge's other record, and an earlier answer to
            // this Idempotency-Key; the save and its commit are the change's only other round trips.
            Task<IdempotentResponse?>? findingEarlier = null;
            var records = await RecordWriter.FetchAsync(writing, requested, related, batch => findingEarlier = replay.Find(batch), ct);
            var state = records.State;

            // Access first, replay second: a stored answer is released only to a caller who may see the record now
            // (a proxy whose authority was revoked since, or another patient sharing a token subject, gets a 403).
            if (PatientAccess.Check(caller, state, now) is { } denied)
            {
                return denied;
            }

            if (await findingEarlier! is { } earlier)
            {
                return replay.IsSameRequest(earlier) ? await replay.SendAsync(earlier, http, ct) : IdempotencyKeys.KeyReused();
            }

            // FetchForWriting also asserts at save that nobody appended since this read.
            if (expectedVersion is { } expected && expected != state.Version)
            {
                return Problems.Stale(expectedVersion);
            }

            var decided = decide(state, records.RelatedState, caller, now);
            if (decided.Refused is { } refused)
            {
                return Problems.For(refused);
            }

            var (appended, after) = RecordWriter.Append(records, decided);
            var response = PreferencesResponse.From(after, now);
            // The event's id is known before the commit and its sequence only after, so a replay looks the sequence up by id.
            replay.Remember(JsonSerializer.Serialize(response, json.Value.SerializerOptions), after.Version, appended.Count > 0 ? appended[^1].Id : null, now);
            var sequence = await writer.CommitAsync(writing, appended, appended.Count > 0 ? AuditMiddleware.RecordFor(http, StatusCodes.Status200OK) : null);
            if (sequence is not null)
            {
                AuditMiddleware.MarkRecorded(http);
            }

            Replay.SetHeaders(http, ETags.For(after.Version), sequence, appended.Count > 0 ? ((IPatientEvent)appended[^1].Data).DecisionId : null);
            return TypedResults.Ok(response);
        }
        catch (Exception ex) when (ex is ConcurrencyException or ExistingStreamIdCollisionException or DocumentAlreadyExistsException)
        {
            // A retry racing its own first attempt finds the first attempt's response here.
            if (await replay.FindAsync(ct) is { } raced)
            {
                return replay.IsSameRequest(raced) ? await replay.SendAsync(raced, http, ct) : IdempotencyKeys.KeyReused();
            }

            return expectedVersion is null ? null : Problems.Stale(expectedVersion);
        }
    }
}
