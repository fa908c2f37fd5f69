using System.Globalization;
using Marten;
using Marten.Services.BatchQuerying;

namespace OptOut.Idempotency;

/// <summary>Finds the saved response to an earlier request with the same Idempotency-Key, or saves this one's.</summary>
public sealed class Replay(IDocumentSession session, string? documentId, string requestHash)
{
    /// <summary>The earlier answer, read in the write's own batch of look-ups.</summary>
    public Task<IdempotentResponse?> Find(IBatchedQuery batch) =>
        documentId is null ? Task.FromResult<IdempotentResponse?>(null) : batch.Load<IdempotentResponse>(documentId);

    /// <summary>The earlier answer, read afresh: after a failed save, when a retry raced this one.</summary>
    public async Task<IdempotentResponse?> FindAsync(CancellationToken ct)
    {
        if (documentId is null)
        {
            return null;
        }

        // A fresh query session: the write session may hold a failed unit of work.
        await using var query = session.DocumentStore.QuerySession();
        return await query.LoadAsync<IdempotentResponse>(documentId, ct);
    }

    public bool IsSameRequest(IdempotentResponse earlier) => earlier.RequestHash == requestHash;

    /// <summary>The first answer again, with the same ETag and OptOut-Sequence, marked as a replay.</summary>
    public async Task<ContentHttpResult> SendAsync(IdempotentResponse earlier, HttpContext http, CancellationToken ct)
    {
        JasperFx.Events.IEvent? change = null;
        if (earlier.EventId is { } eventId)
        {
            await using var query = session.DocumentStore.QuerySession();
            change = await query.Events.LoadAsync(eventId, ct);
        }

        SetHeaders(http, earlier.ETag, change?.Sequence, (change?.Data as Records.IPatientEvent)?.DecisionId);
        http.Response.Headers[IdempotencyKeys.ReplayedHeader] = "true";
        return TypedResults.Content(earlier.Body, "application/json", System.Text.Encoding.UTF8, earlier.StatusCode);
    }

    /// <summary>The headers of a write's answer, first time or replayed: the record version, the event's global sequence, and the change's reference.</summary>
    public static void SetHeaders(HttpContext http, string etag, long? sequence, Guid? decisionId)
    {
        http.Response.Headers.ETag = etag;
        if (decisionId is { } decision)
        {
            // What a person is told, and what their confirmation is looked up by (GET /v1/patients/{n}/changes/{reference}).
            http.Response.Headers[Records.ChangeReference.Header] = Records.ChangeReference.For(decision);
        }

        if (sequence is { } s)
        {
            // Read-your-writes elsewhere: pass this as minSequence to the opt-out index reads.
            http.Response.Headers[Http.OptOutHeaders.Sequence] = s.ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Saved in the same transaction as the events, so either both are stored or neither is.</summary>
    public void Remember(string body, long version, Guid? eventId, DateTimeOffset now)
    {
        if (documentId is null)
        {
            return;
        }

        session.Insert(new IdempotentResponse
        {
            Id = documentId,
            RequestHash = requestHash,
            StatusCode = StatusCodes.Status200OK,
            ETag = Http.ETags.For(version),
            Body = body,
            EventId = eventId,
            RecordedAt = now,
        });
    }
}
