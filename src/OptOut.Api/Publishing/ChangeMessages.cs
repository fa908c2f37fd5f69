using JasperFx.Events;
using OptOut.NationalDataOptOut;

namespace OptOut.Publishing;

/// <summary>The one place that says which stored events become which published messages.</summary>
public static class ChangeMessages
{
    public static object? ToMessage(IEvent e) => e switch
    {
        IEvent<NationalDataOptOutSet> set => NationalDataOptOutMessages.ToMessage(set),
        IEvent<NationalDataOptOutWithdrawn> withdrawn => NationalDataOptOutMessages.ToMessage(withdrawn),
        _ => null,
    };
}
