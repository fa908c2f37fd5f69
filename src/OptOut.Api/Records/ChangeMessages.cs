using JasperFx.Events;

namespace OptOut.Records;

/// <summary>Which stored events become which published messages: as the stored-event catalogue says.</summary>
public static class ChangeMessages
{
    /// <summary>
    /// Null for events not published, and for events that are not OptOut's own: the subscription also sees the tombstones
    /// Marten writes after a failed append (a database restart mid-write makes them), and must pass over them, never throw.
    /// </summary>
    public static object? ToMessage(IEvent e) => StoredEvents.Find(e.EventType)?.Message?.Invoke(e);
}
