using JasperFx.Events;
using OptOut.Contracts.V1;

namespace OptOut.Records;

public static class ProxyMessages
{
    public static ProxyAuthorityChanged ToMessage(IEvent<ProxyAuthorised> e) =>
        new(e.Data.NhsNumber.Value, e.Data.ProxyId, e.Data.Role.WireName(), true, e.Data.ValidUntil, e.Data.EffectiveAt, e.Data.RecordedAt, e.Version, e.Sequence, e.Id, ChangeReference.For(e.Data.DecisionId));

    public static ProxyAuthorityChanged ToMessage(IEvent<ProxyAuthorityRevoked> e) =>
        new(e.Data.NhsNumber.Value, e.Data.ProxyId, null, false, null, e.Data.EffectiveAt, e.Data.RecordedAt, e.Version, e.Sequence, e.Id, ChangeReference.For(e.Data.DecisionId));
}
