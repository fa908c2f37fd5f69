using JasperFx.Events;
using OptOut.Contracts.V1;

namespace OptOut.Records;

/// <summary>Maps stored events to the published contract; the stored types themselves are never published.</summary>
public static class NationalDataOptOutMessages
{
    public static NationalDataOptOutChanged ToMessage(IEvent<NationalDataOptOutSet> e) =>
        new(e.Data.NhsNumber.Value, true, e.Data.EffectiveAt, e.Data.RecordedAt, e.Data.Channel.WireName(),
            e.Data.DecidedBy.IsProxy, e.Version, e.Sequence, e.Id, ChangeReference.For(e.Data.DecisionId));

    public static NationalDataOptOutChanged ToMessage(IEvent<NationalDataOptOutWithdrawn> e) =>
        new(e.Data.NhsNumber.Value, false, e.Data.EffectiveAt, e.Data.RecordedAt, e.Data.Channel.WireName(),
            e.Data.DecidedBy.IsProxy, e.Version, e.Sequence, e.Id, ChangeReference.For(e.Data.DecisionId));
}
