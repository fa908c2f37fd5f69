using JasperFx.Events;
using OptOut.Contracts.V1;

namespace OptOut.Records;

public static class ConsentMessages
{
    public static ConsentChanged ToMessage(IEvent<ConsentGranted> e) =>
        new(e.Data.NhsNumber.Value, e.Data.Purpose, "permit", e.Data.Period?.Start, e.Data.Period?.End, e.Data.NoticeVersion,
            e.Data.DecidedBy.IsProxy, e.Data.EffectiveAt, e.Data.RecordedAt, e.Version, e.Sequence, e.Id, ChangeReference.For(e.Data.DecisionId));

    public static ConsentChanged ToMessage(IEvent<ConsentRefused> e) =>
        new(e.Data.NhsNumber.Value, e.Data.Purpose, "deny", e.Data.Period?.Start, e.Data.Period?.End, e.Data.NoticeVersion,
            e.Data.DecidedBy.IsProxy, e.Data.EffectiveAt, e.Data.RecordedAt, e.Version, e.Sequence, e.Id, ChangeReference.For(e.Data.DecisionId));

    public static ConsentChanged ToMessage(IEvent<ConsentWithdrawn> e) =>
        new(e.Data.NhsNumber.Value, e.Data.Purpose, "withdrawn", null, null, null,
            e.Data.DecidedBy.IsProxy, e.Data.EffectiveAt, e.Data.RecordedAt, e.Version, e.Sequence, e.Id, ChangeReference.For(e.Data.DecisionId));

    public static ConsentChanged ToMessage(IEvent<ConsentExpired> e) =>
        new(e.Data.NhsNumber.Value, e.Data.Purpose, "expired", null, null, null,
            false, e.Data.EffectiveAt, e.Data.RecordedAt, e.Version, e.Sequence, e.Id, ChangeReference.For(e.Data.DecisionId));
}
