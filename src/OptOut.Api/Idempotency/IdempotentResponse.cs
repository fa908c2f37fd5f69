namespace OptOut.Idempotency;

/// <summary>
/// The first response to a write that carried an Idempotency-Key, saved in the same transaction as the
/// write's events, so a retry gets the same answer and appends nothing.
/// </summary>
public sealed class IdempotentResponse
{
    /// <summary>The caller's subject and their key: keys are scoped per caller.</summary>
    public string Id { get; set; } = "";

    /// <summary>A hash of the request, so reusing a key for a different request is refused.</summary>
    public string RequestHash { get; set; } = "";

    public int StatusCode { get; set; }

    public string ETag { get; set; } = "";

    public string Body { get; set; } = "";

    /// <summary>The last event the write appended, if any: a replay answers with its sequence.</summary>
    public Guid? EventId { get; set; }

    public DateTimeOffset RecordedAt { get; set; }
}
