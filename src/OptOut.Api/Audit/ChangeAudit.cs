using System.Text.Json;
using Marten;
using JasperFx.Events;

namespace OptOut.Audit;

/// <summary>
/// A change's audit record commits in the change's own transaction (into <see cref="AuditSchema.Pending"/>), and the
/// audit log moves it into the hash chain right after, naming the events' sequences. So every stored event is named
/// by exactly one audit entry, whatever crashes between the commit and the chaining.
/// </summary>
public static class ChangeAudit
{
    /// <remarks>The streams are stored beside the event ids so chaining finds the events' sequences through the stream index.</remarks>
    public static void RecordWith(IDocumentSession session, AuditSchema schema, AuditRecord record, IReadOnlyCollection<IEvent> events) =>
        session.QueueSqlCommand(
            $"insert into {schema.Pending} (record, event_ids, stream_ids) values (?::jsonb, ?, ?)",
            JsonSerializer.Serialize(record), events.Select(e => e.Id).ToArray(), events.Select(e => e.StreamKey!).Distinct().ToArray());
}
