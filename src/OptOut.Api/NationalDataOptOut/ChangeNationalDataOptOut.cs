using OptOut.Records;

namespace OptOut.NationalDataOptOut;

/// <summary>Set (<see cref="OptedOut"/> true) or withdraw the national data opt-out.</summary>
/// <param name="PatientBorn">For a decision staff record, the patient's date of birth (checked, not stored).</param>
public sealed record ChangeNationalDataOptOut(DecisionContext Context, bool OptedOut, Channel Channel, string? NoticeVersion, DateOnly? PatientBorn = null);

public static class NationalDataOptOutDecider
{
    /// <summary>
    /// Where staff give the patient's date of birth, the age when the choice was made (when a form was signed, or now
    /// by phone) decides who could make it: a parent only for a child under 13, the patient only from 13, an attorney
    /// only for a patient of 18 or over. Asking for
    /// the state the patient is already in records nothing: the choice stands as it is.
    /// </summary>
    public static Decided Decide(PatientPreferences current, ChangeNationalDataOptOut command)
    {
        var c = command.Context;
        if (command.PatientBorn is { } born && AgeRefusal(born, c) is { } refusal)
        {
            return Decided.Refuse(RefusalKind.NotAllowedByTheRules, refusal);
        }

        if (current.NationalDataOptOut.OptedOut == command.OptedOut)
        {
            return new Decided([]);
        }

        return new Decided(command.OptedOut
            ? [new NationalDataOptOutSet(c.NhsNumber, c.DecisionId, c.DecidedBy, command.Channel, command.NoticeVersion, c.EffectiveAt, c.Now)]
            : [new NationalDataOptOutWithdrawn(c.NhsNumber, c.DecisionId, c.DecidedBy, command.Channel, command.NoticeVersion, c.EffectiveAt, c.Now)]);
    }

    private static string? AgeRefusal(DateOnly born, DecisionContext c) => c.DecidedBy.ProxyRole switch
    {
        ProxyRole.Guardian => RecordRules.GuardianRefusal(born, c.EffectiveAt),
        ProxyRole.PowerOfAttorney => RecordRules.AttorneyRefusal(born, c.EffectiveAt),
        null => RecordRules.SelfDecisionRefusal(born, c.EffectiveAt),
        _ => null,
    };
}
