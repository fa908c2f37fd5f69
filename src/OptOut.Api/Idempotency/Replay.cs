using Marten;

namespace OptOut.Idempotency;

/// <summary>Finds the saved response to an earlier request with the same Idempotency-Key, or saves this one's.</summary>
public sealed class Replay(IDocumentSession session, string? documentId, string requestHash)
{
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

    public static ContentHttpResult Send(IdempotentResponse earlier, HttpContext http)
    {
        http.Response.Headers.ETag = earlier.ETag;
        http.Response.Headers[IdempotencyKeys.ReplayedHeader] = "true";
        return TypedResults.Content(earlier.Body, "application/json", System.Text.Encoding.UTF8, earlier.StatusCode);
    }

    /// <summary>Saved in the same transaction as the events, so either both are stored or neither is.</summary>
    public void Remember(string body, long version, DateTimeOffset now)
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
            RecordedAt = now,
        });
    }
}
