using OptOut.Records;

namespace OptOut.Type1OptOut;

public sealed record RecordType1OptOut(DecisionContext Context, bool Dissent, string PracticeOdsCode, string Code);

public static class Type1OptOutDecider
{
    /// <summary>
    /// A Type 1 opt-out lives in the GP record, so the practice that holds it speaks for it. OptOut does not know where a
    /// patient is registered; the practice that last recorded the dissent stands for that. Recording the state the
    /// patient is already in, from the same practice, records nothing. A dissent recorded by another practice is the
    /// record moving with the patient (GP2GP carries the coded entry to the new practice), so it records the move and
    /// the figures by practice follow it. A withdrawal from a practice that does not hold the dissent is refused: a
    /// mistyped NHS number at another practice must not let a patient's records leave their practice.
    /// </summary>
    public static Decided Decide(PatientPreferences current, RecordType1OptOut command)
    {
        var held = current.Type1OptOut;
        if (held.Dissent == command.Dissent && (!held.Dissent || held.PracticeOdsCode == command.PracticeOdsCode))
        {
            return new Decided([]);
        }

        if (!command.Dissent && held.PracticeOdsCode != command.PracticeOdsCode)
        {
            return Decided.Refuse(RefusalKind.NotAllowedByTheRules,
                $"The Type 1 opt-out is held by practice {held.PracticeOdsCode}, so only that practice withdraws it. " +
                $"If the patient has registered with practice {command.PracticeOdsCode}, record the dissent it holds now (dissent: true) first.");
        }

        var c = command.Context;
        return new Decided(command.Dissent
            ? [new Type1OptOutRecorded(c.NhsNumber, c.DecisionId, c.DecidedBy, command.PracticeOdsCode, command.Code, c.EffectiveAt, c.Now)]
            : [new Type1OptOutWithdrawn(c.NhsNumber, c.DecisionId, c.DecidedBy, command.PracticeOdsCode, command.Code, c.EffectiveAt, c.Now)]);
    }
}
