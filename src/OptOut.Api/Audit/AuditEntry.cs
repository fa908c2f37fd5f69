using OptOut.Contracts.Audit;

namespace OptOut.Audit;

/// <summary>
/// One audit entry: who did what to whose record, for which stated purpose, with what outcome, through
/// which request. <see cref="Hash"/> covers the content and <see cref="PreviousHash"/>, so changing,
/// removing, reordering or inserting an entry breaks the chain from that entry on.
/// </summary>
public sealed record AuditEntry(
    long Sequence,
    DateTimeOffset RecordedAt,
    string Kind,
    string Action,
    string Actor,
    string ActorRole,
    string? NhsNumber,
    string? Purpose,
    int Outcome,
    string RequestId,
    string Details,
    string PreviousHash,
    string Hash)
{
    public string ComputeHash() =>
        AuditChain.HashOf(Sequence, RecordedAt, Kind, Action, Actor, ActorRole, NhsNumber, Purpose, Outcome, RequestId, Details, PreviousHash);

    /// <summary>PostgreSQL keeps microseconds; the hash must be of the time as stored.</summary>
    public static DateTimeOffset ToStoredPrecision(DateTimeOffset at) => new(at.UtcTicks - (at.UtcTicks % 10), TimeSpan.Zero);
}

/// <summary>What a caller or component asks to have recorded; the log assigns sequence, time and hashes.</summary>
public sealed record AuditRecord(
    string Kind,
    string Action,
    string Actor,
    string ActorRole,
    string? NhsNumber,
    string? Purpose,
    int Outcome,
    string RequestId,
    string Details);
