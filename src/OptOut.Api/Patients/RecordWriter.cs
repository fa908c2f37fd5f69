using System.Text.Json.Nodes;
using JasperFx.Events;
using Marten;
using Marten.Events;
using OptOut.Audit;
using OptOut.Indexing;
using OptOut.Records;

namespace OptOut.Patients;

/// <summary>
/// The one commit every change to a patient's record goes through, with no HTTP in it: the decided events appended to
/// the streams fetched for writing, the change's audit record (naming its reference) in the same transaction, the save,
/// then the audit chained and this instance's opt-out index told. The HTTP edge (<see cref="PatientWrites"/>) and the
/// changes OptOut makes itself (consent expiry) both commit through it.
/// </summary>
public sealed class RecordWriter(AuditSchema auditSchema, AuditLog auditLog, OptOutIndex index)
{
    /// <summary>Appends <paramref name="events"/> to the stream and returns them as stored (ids known, sequences after the save).</summary>
    public static List<IEvent> Append(IEventStream<PatientPreferences> stream, object[] events)
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
