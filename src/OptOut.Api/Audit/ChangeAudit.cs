using System.Text.Json;
using Marten;

namespace OptOut.Audit;

/// <summary>
/// A change's audit record commits in the change's own transaction (into <see cref="AuditSchema.Pending"/>), and the
/// audit log moves it into the hash chain right after, naming the events' sequences. So every stored event is named
/// by exactly one audit entry, whatever crashes between the commit and the chaining.
/// </summary>
public static class ChangeAudit
{
    public static void RecordWith(IDocumentSession session, AuditSchema schema, AuditRecord record, IEnumerable<Guid> eventIds) =>
        session.QueueSqlCommand($"insert into {schema.Pending} (record, event_ids) values (?::jsonb, ?)", JsonSerializer.Serialize(record), eventIds.ToArray());
}
