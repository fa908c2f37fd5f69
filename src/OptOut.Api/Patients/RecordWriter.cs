using System.Text.Json.Nodes;
using JasperFx.Events;
using Marten;
using Marten.Events;
using Marten.Services.BatchQuerying;
using OptOut.Audit;
using OptOut.Indexing;
using OptOut.NhsNumbers;
using OptOut.Records;

namespace OptOut.Patients;

/// <summary>The records a change reads, fetched for writing: a concurrent append to either fails the save.</summary>
public sealed record FetchedRecords(
    IEventStream<PatientPreferences> Stream, PatientPreferences State, IEventStream<PatientPreferences>? RelatedStream, PatientPreferences? RelatedState);

/// <summary>A decision appended to its streams: the events as stored, and the record as it stands after them.</summary>
public sealed record AppendedChange(IReadOnlyList<IEvent> Events, PatientPreferences After);

/// <summary>
/// The one way every change to a patient's record is written, with no HTTP in it: fetch the records for writing (a
/// superseded number leads to the record that replaced it), append what was decided, then commit with the change's
/// audit record (naming its reference) in the same transaction, chain the audit and tell this instance's opt-out index.
/// The HTTP edge (<see cref="PatientWrites"/>) and the changes OptOut makes itself (consent expiry) both write through it;
/// the importer, which writes in bulk, is the one documented exception.
/// </summary>
public sealed class RecordWriter(AuditSchema auditSchema, AuditLog auditLog, OptOutIndex index)
{
    /// <summary>
    /// Fetches <paramref name="requested"/> (and a merge's <paramref name="related"/> record, exactly as given) for
    /// writing in one round trip, together with whatever <paramref name="alongside"/> adds to the same batch.
    /// </summary>
    public static async Task<FetchedRecords> FetchAsync(
        IDocumentSession session, NhsNumber requested, NhsNumber? related, Action<IBatchedQuery>? alongside, CancellationToken ct)
    {
        var batch = session.CreateBatchQuery();
        var fetching = batch.Events.FetchForWriting<PatientPreferences>(requested.Value);
        var fetchingRelated = related is { } other ? batch.Events.FetchForWriting<PatientPreferences>(other.Value) : null;
        alongside?.Invoke(batch);
        await batch.Execute(ct);
        var stream = await fetching;
        if (related is null && stream.Aggregate?.SupersededBy is not null)
        {
            // Merged records are rare: only then is the number that replaced this one looked up.
            stream = await session.Events.FetchForWriting<PatientPreferences>((await session.LoadCurrentAsync(requested, ct)).Id, ct);
        }

        var relatedStream = fetchingRelated is null ? null : await fetchingRelated;
        return new FetchedRecords(stream, StateOf(stream), relatedStream, relatedStream is null ? null : StateOf(relatedStream));
    }

    /// <summary>Appends an accepted decision to the records it was made on; nothing is stored until the commit.</summary>
    public static AppendedChange Append(FetchedRecords records, Decided decided)
    {
        if (decided.Refused is not null)
        {
            throw new InvalidOperationException("A refused decision has nothing to append.");
        }

        var appended = Append(records.Stream, decided.Events)
            .Concat(records.RelatedStream is null ? [] : Append(records.RelatedStream, decided.RelatedEvents)).ToList();
        var after = decided.AnswerWithRelated ? records.RelatedState!.After(decided.RelatedEvents) : records.State.After(decided.Events);
        return new AppendedChange(appended, after);
    }

    private static PatientPreferences StateOf(IEventStream<PatientPreferences> stream) =>
        (stream.Aggregate ?? PatientPreferences.Empty(stream.Key!)) with { Version = stream.CurrentVersion ?? 0 };

    /// <summary>Appends <paramref name="events"/> to the stream and returns them as stored (ids known, sequences after the save).</summary>
    private static List<IEvent> Append(IEventStream<PatientPreferences> stream, object[] events)
    {
        if (events.Length == 0)
        {
            return [];
        }

        stream.AppendMany(events);
        return [.. stream.Events.TakeLast(events.Length)];
    }

    /// <summary>
    /// Saves the session with the change's audit record beside the appended events; the highest sequence stored, or null
    /// when nothing was appended (the session is saved all the same, for what else it holds).
    /// </summary>
    public async Task<long?> CommitAsync(IDocumentSession session, IReadOnlyList<IEvent> appended, AuditRecord? audit)
    {
        if (appended.Count > 0)
        {
            ArgumentNullException.ThrowIfNull(audit);
            // The change's audit entry commits with it: no acknowledged change can lack one, whatever crashes next. It
            // names the change's reference, so staff find the change from the reference a patient reads out.
            var details = JsonNode.Parse(audit.Details) as JsonObject ?? [];
            details["reference"] = ChangeReference.For(((IPatientEvent)appended[0].Data).DecisionId);
            ChangeAudit.RecordWith(session, auditSchema, audit with { Details = details.ToJsonString() }, appended);
        }

        // Not cancelled by a client that hangs up: a transaction abandoned after taking sequence numbers leaves a gap
        // that holds back the daemon's high-water mark, and with it every subscriber, until Marten gives up on it.
        await session.SaveChangesAsync(CancellationToken.None);
        if (appended.Count == 0)
        {
            return null;
        }

        auditLog.ChainPending();
        foreach (var e in appended.Where(e => StoredEvents.IsIndexed(e.EventType)))
        {
            index.Acknowledged(((IPatientEvent)e.Data).NhsNumber.Base, e.Sequence);
        }

        return appended.Max(e => e.Sequence);
    }
}
