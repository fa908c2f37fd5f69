using OptOut.Records;

namespace OptOut.NationalDataOptOut;

/// <summary>Set (<see cref="OptedOut"/> true) or withdraw the national data opt-out.</summary>
public sealed record ChangeNationalDataOptOut(DecisionContext Context, bool OptedOut, Channel Channel, string? NoticeVersion);

public static class NationalDataOptOutDecider
{
    /// <summary>Asking for the state the patient is already in records nothing: the choice stands as it is.</summary>
    public static object[] Decide(PatientPreferences current, ChangeNationalDataOptOut command)
    {
        if (current.NationalDataOptOut.OptedOut == command.OptedOut)
        {
            return [];
        }

        var c = command.Context;
        return command.OptedOut
            ? [new NationalDataOptOutSet(c.NhsNumber, c.DecisionId, c.DecidedBy, command.Channel, command.NoticeVersion, c.EffectiveAt, c.Now)]
            : [new NationalDataOptOutWithdrawn(c.NhsNumber, c.DecisionId, c.DecidedBy, command.Channel, command.NoticeVersion, c.EffectiveAt, c.Now)];
    }
}
