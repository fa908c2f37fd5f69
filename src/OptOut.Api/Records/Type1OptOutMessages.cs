using JasperFx.Events;
using OptOut.Contracts.V1;

namespace OptOut.Records;

public static class Type1OptOutMessages
{
    public static Type1OptOutChanged ToMessage(IEvent<Type1OptOutRecorded> e) =>
        new(e.Data.NhsNumber.Value, true, e.Data.PracticeOdsCode, e.Data.Code, e.Data.EffectiveAt, e.Data.RecordedAt, e.Version, e.Sequence, e.Id, ChangeReference.For(e.Data.DecisionId));

    public static Type1OptOutChanged ToMessage(IEvent<Type1OptOutWithdrawn> e) =>
        new(e.Data.NhsNumber.Value, false, e.Data.PracticeOdsCode, e.Data.Code, e.Data.EffectiveAt, e.Data.RecordedAt, e.Version, e.Sequence, e.Id, ChangeReference.For(e.Data.DecisionId));
}
