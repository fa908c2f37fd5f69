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
public sealed class PatientWrites(IDocumentSession session, TimeProvider clock, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
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
        if (await replay.FindAsync(ct) is { } earlier)
        {
            return replay.IsSameRequest(earlier) ? Replay.Send(earlier, http) : IdempotencyKeys.KeyReused();
        }

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

            // FetchForWriting also asserts at save that nobody appended since this read.
            if (expectedVersion is { } expected && expected != (stream.CurrentVersion ?? 0))
            {
                return Problems.StaleVersion(expectedVersion);
            }

            var state = (stream.Aggregate ?? PatientPreferences.Empty(id)) with { Version = stream.CurrentVersion ?? 0 };

            if (PatientAccess.Check(caller, state, now) is { } denied)
            {
                return denied;
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
            }

            var response = PreferencesResponse.From(after, now);
            replay.Remember(JsonSerializer.Serialize(response, json.Value.SerializerOptions), after.Version, now);
            // Not cancelled by a client that hangs up: a transaction abandoned after taking sequence numbers leaves a
            // gap that holds back the daemon's high-water mark, and with it every subscriber, until Marten gives up on it.
            await session.SaveChangesAsync(CancellationToken.None);

            http.Response.Headers.ETag = ETags.For(after.Version);
            if (decided.Events.Length > 0)
            {
                // Read-your-writes: pass this as minSequence to the opt-out index reads.
                http.Response.Headers[SequenceHeader] = stream.Events[^1].Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
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

    /// <summary>The context every command carries, for the record being written.</summary>
    public static DecisionContext Context(PatientPreferences state, DecisionMaker by, DateTimeOffset? effectiveAt, DateTimeOffset now) =>
        new(NhsNumber.Parse(state.Id), by, Guid.CreateVersion7(now), effectiveAt ?? now, now);
}
