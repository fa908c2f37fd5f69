using OptOut.Contracts.Audit;
using OptOut.Http;

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
    string Details)
{
    /// <summary>
    /// The record as PostgreSQL can store it, whatever a request held: unsafe characters (a NUL cannot be stored at all)
    /// become U+FFFD and each field is cut to its limit, so one entry can never fail the batch it shares with others.
    /// The edge refuses such requests (Http/InputScreening.cs), and this records the refusal itself.
    /// </summary>
    public AuditRecord Storable() => new(
        SafeText.Clean(Kind, 16)!,
        SafeText.Clean(Action, 512)!,
        SafeText.Clean(Actor, 256)!,
        SafeText.Clean(ActorRole, 64)!,
        SafeText.Clean(NhsNumber, 32),
        SafeText.Clean(Purpose, InputScreening.MaxPurposeLength),
        Outcome,
        SafeText.Clean(RequestId, 128)!,
        // Details are JSON made by the service, escaped; only an escaped NUL is beyond what a jsonb column takes.
        Details.Replace("\\u0000", "\\uFFFD", StringComparison.Ordinal));
}
