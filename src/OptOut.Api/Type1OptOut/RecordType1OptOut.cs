using OptOut.Records;

namespace OptOut.Type1OptOut;

public sealed record RecordType1OptOut(DecisionContext Context, bool Dissent, string PracticeOdsCode, string Code);

public static class Type1OptOutDecider
{
    /// <summary>Recording the state the patient is already in records nothing.</summary>
    public static object[] Decide(PatientPreferences current, RecordType1OptOut command)
    {
        if (current.Type1OptOut.Dissent == command.Dissent)
        {
            return [];
        }

        var c = command.Context;
        return command.Dissent
            ? [new Type1OptOutRecorded(c.NhsNumber, c.DecisionId, c.DecidedBy, command.PracticeOdsCode, command.Code, c.EffectiveAt, c.Now)]
            : [new Type1OptOutWithdrawn(c.NhsNumber, c.DecisionId, c.DecidedBy, command.PracticeOdsCode, command.Code, c.EffectiveAt, c.Now)];
    }
}
