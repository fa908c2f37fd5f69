using JasperFx.Events;
using OptOut.Consents;
using OptOut.NationalDataOptOut;
using OptOut.Proxies;
using OptOut.Supersession;
using OptOut.Type1OptOut;

namespace OptOut.Publishing;

/// <summary>The one place that says which stored events become which published messages.</summary>
public static class ChangeMessages
{
    public static object? ToMessage(IEvent e) => e switch
    {
        IEvent<NationalDataOptOutSet> x => NationalDataOptOutMessages.ToMessage(x),
        IEvent<NationalDataOptOutWithdrawn> x => NationalDataOptOutMessages.ToMessage(x),
        IEvent<Type1OptOutRecorded> x => Type1OptOutMessages.ToMessage(x),
        IEvent<Type1OptOutWithdrawn> x => Type1OptOutMessages.ToMessage(x),
        IEvent<ConsentGranted> x => ConsentMessages.ToMessage(x),
        IEvent<ConsentRefused> x => ConsentMessages.ToMessage(x),
        IEvent<ConsentWithdrawn> x => ConsentMessages.ToMessage(x),
        IEvent<ConsentExpired> x => ConsentMessages.ToMessage(x),
        IEvent<ProxyAuthorised> x => ProxyMessages.ToMessage(x),
        IEvent<ProxyAuthorityRevoked> x => ProxyMessages.ToMessage(x),
        IEvent<NhsNumberSuperseded> x => SupersessionMessages.ToMessage(x),
        // The merge's other half: one NhsNumberSuperseded message tells consumers all they need.
        _ => null,
    };
}
