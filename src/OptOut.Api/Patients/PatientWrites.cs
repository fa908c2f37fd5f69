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
/// The HTTP edge of every change a caller makes to a patient's record: identity assurance, idempotency, If-Match,
/// supersession, object-level authorization, FetchForWriting and decide, then the commit through <see cref="RecordWriter"/>,
/// and the answer with its headers.
/// </summary>
public sealed class PatientWrites(
    IDocumentSession session, TimeProvider clock, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json,
    RecordWriter writer, IOptions<IdentityAssurance> assurance)
{
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

            // One round trip: the record (its version and snapshot), the merge's other record, and an earlier answer to
            // this Idempotency-Key; the save and its commit are the change's only other round trips.
            var batch = session.CreateBatchQuery();
            var fetching = batch.Events.FetchForWriting<PatientPreferences>(requested.Value);
            var fetchingRelated = related is { } other ? batch.Events.FetchForWriting<PatientPreferences>(other.Value) : null;
            var findingEarlier = replay.Find(batch);
            await batch.Execute(ct);
            var stream = related is null ? await FollowSupersessionAsync(await fetching, requested, ct) : await fetching;
            var relatedStream = fetchingRelated is null ? null : await fetchingRelated;
            var state = StateOf(stream);
            var relatedState = relatedStream is null ? null : StateOf(relatedStream);

            // Access first, replay second: a stored answer is released only to a caller who may see the record now
            // (a proxy whose authority was revoked since, or another patient sharing a token subject, gets a 403).
            if (PatientAccess.Check(caller, state, now) is { } denied)
            {
                return denied;
            }

            if (await findingEarlier is { } earlier)
            {
                return replay.IsSameRequest(earlier) ? await replay.SendAsync(earlier, http, ct) : IdempotencyKeys.KeyReused();
            }

            // FetchForWriting also asserts at save that nobody appended since this read.
            if (expectedVersion is { } expected && expected != state.Version)
            {
                return Problems.Stale(expectedVersion);
            }

            var decided = decide(state, relatedState, caller, now);
            if (decided.Refused is { } refused)
            {
                return Problems.For(refused);
            }

            var appended = RecordWriter.Append(stream, decided.Events).Concat(relatedStream is null ? [] : RecordWriter.Append(relatedStream, decided.RelatedEvents)).ToList();
            var after = decided.AnswerWithRelated ? relatedState!.After(decided.RelatedEvents) : state.After(decided.Events);
            var response = PreferencesResponse.From(after, now);
            // The event's id is known before the commit and its sequence only after, so a replay looks the sequence up by id.
            replay.Remember(JsonSerializer.Serialize(response, json.Value.SerializerOptions), after.Version, appended.Count > 0 ? appended[^1].Id : null, now);
            var sequence = await writer.CommitAsync(session, appended, appended.Count > 0 ? AuditMiddleware.RecordFor(http, StatusCodes.Status200OK) : null);
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

            return expectedVersion is null ? Problems.Concurrent() : Problems.Stale(expectedVersion);
        }
    }

    /// <summary>A write to a superseded number lands on the record that replaced it (a merge names both records as given).</summary>
    private async Task<IEventStream<PatientPreferences>> FollowSupersessionAsync(IEventStream<PatientPreferences> stream, NhsNumber number, CancellationToken ct)
    {
        if (stream.Aggregate?.SupersededBy is not null)
        {
            // Merged records are rare: only then is the number that replaced this one looked up.
            stream = await session.Events.FetchForWriting<PatientPreferences>((await session.LoadCurrentAsync(number, ct)).Id, ct);
        }

        return stream;
    }

    private static PatientPreferences StateOf(IEventStream<PatientPreferences> stream) =>
        (stream.Aggregate ?? PatientPreferences.Empty(stream.Key!)) with { Version = stream.CurrentVersion ?? 0 };
}
