using OptOut.Decisions;
using OptOut.NhsNumbers;
using OptOut.Patients;

namespace OptOut.NationalDataOptOut;

/// <summary>Set (<see cref="OptedOut"/> true) or withdraw the national data opt-out. <see cref="Now"/> keeps the decider pure.</summary>
public sealed record ChangeNationalDataOptOut(
    NhsNumber NhsNumber,
    bool OptedOut,
    DecisionMaker DecidedBy,
    Channel Channel,
    string? NoticeVersion,
    DateTimeOffset EffectiveAt,
    DateTimeOffset Now);

public static class NationalDataOptOutDecider
{
    /// <summary>Asking for the state the patient is already in records nothing: the choice stands as it is.</summary>
    public static object[] Decide(PatientPreferences current, ChangeNationalDataOptOut command)
    {
        if (current.NationalDataOptOut.OptedOut == command.OptedOut)
        {
            return [];
        }

        return command.OptedOut
            ? [new NationalDataOptOutSet(command.NhsNumber, command.DecidedBy, command.Channel, command.NoticeVersion, command.EffectiveAt, command.Now)]
            : [new NationalDataOptOutWithdrawn(command.NhsNumber, command.DecidedBy, command.Channel, command.NoticeVersion, command.EffectiveAt, command.Now)];
    }
}
