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

    /// <summary>The message RabbitMQ carries for an event: as <see cref="ToMessage"/>, but none for events the catalogue keeps off the broker (imports).</summary>
    public static object? ToPublished(IEvent e) =>
        StoredEvents.Find(e.EventType) is { } stored && stored.NotPublishedWhen?.Applies(e.Data) != true ? stored.Message?.Invoke(e) : null;
}
