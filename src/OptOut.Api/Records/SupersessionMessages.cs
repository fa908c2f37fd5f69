using JasperFx.Events;

namespace OptOut.Records;

public static class SupersessionMessages
{
    public static Contracts.V1.NhsNumberSuperseded ToMessage(IEvent<NhsNumberSuperseded> e) =>
        new(e.Data.NhsNumber.Value, e.Data.SupersededBy.Value, e.Data.EffectiveAt, e.Data.RecordedAt, e.Sequence, e.Id, ChangeReference.For(e.Data.DecisionId));
}
