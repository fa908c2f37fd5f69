using JasperFx.Events;
using OptOut.Patients;

namespace OptOut.Publishing;

/// <summary>Which stored events become which published messages: as the stored-event catalogue says.</summary>
public static class ChangeMessages
{
    public static object? ToMessage(IEvent e) => StoredEvents.For(e.EventType).Message?.Invoke(e);
}
