using OptOut.Records;

namespace OptOut.NationalDataOptOut;

/// <summary>Set (<see cref="OptedOut"/> true) or withdraw the national data opt-out.</summary>
/// <param name="ChildBorn">For a parent's decision recorded by staff, the child's date of birth (checked, not stored).</param>
public sealed record ChangeNationalDataOptOut(DecisionContext Context, bool OptedOut, Channel Channel, string? NoticeVersion, DateOnly? ChildBorn = null);

public static class NationalDataOptOutDecider
{
    /// <summary>
    /// A parent decides only for a child who was under 13 when the choice was made (when a form was signed, or now by
    /// phone). Asking for the state the patient is already in records nothing: the choice stands as it is.
    /// </summary>
    public static Decided Decide(PatientPreferences current, ChangeNationalDataOptOut command)
    {
        var c = command.Context;
        if (c.DecidedBy.ProxyRole == ProxyRole.Guardian && command.ChildBorn is { } born && RecordRules.GuardianRefusal(born, c.EffectiveAt) is { } tooOld)
        {
            return Decided.Refuse(RefusalKind.NotAllowedByTheRules, tooOld);
        }

        if (current.NationalDataOptOut.OptedOut == command.OptedOut)
        {
            return new Decided([]);
        }

        return new Decided(command.OptedOut
            ? [new NationalDataOptOutSet(c.NhsNumber, c.DecisionId, c.DecidedBy, command.Channel, command.NoticeVersion, c.EffectiveAt, c.Now)]
            : [new NationalDataOptOutWithdrawn(c.NhsNumber, c.DecisionId, c.DecidedBy, command.Channel, command.NoticeVersion, c.EffectiveAt, c.Now)]);
    }
}
