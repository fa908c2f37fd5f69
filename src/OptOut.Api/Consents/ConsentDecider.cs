using OptOut.Records;

namespace OptOut.Consents;

public sealed record DecideConsent(DecisionContext Context, string Purpose, bool Permit, ConsentPeriod? Period, Channel Channel, string? NoticeVersion);

public sealed record WithdrawConsent(DecisionContext Context, string Purpose, Channel Channel);

public static class ConsentDecider
{
    /// <summary>Repeating the decision that stands (same answer, period and notice) records nothing.</summary>
    public static object[] Decide(PatientPreferences current, DecideConsent command)
    {
        var wanted = command.Permit ? ConsentStatus.Permit : ConsentStatus.Deny;
        if (current.Consents.TryGetValue(command.Purpose, out var standing) && standing.Status == wanted
            && standing.Period == command.Period && standing.NoticeVersion == command.NoticeVersion)
        {
            return [];
        }

        var c = command.Context;
        return command.Permit
            ? [new ConsentGranted(c.NhsNumber, c.DecisionId, c.DecidedBy, command.Purpose, command.Period, command.Channel, command.NoticeVersion, c.EffectiveAt, c.Now)]
            : [new ConsentRefused(c.NhsNumber, c.DecisionId, c.DecidedBy, command.Purpose, command.Period, command.Channel, command.NoticeVersion, c.EffectiveAt, c.Now)];
    }

    /// <summary>Withdrawing when no permit or refusal stands records nothing.</summary>
    public static object[] Decide(PatientPreferences current, WithdrawConsent command)
    {
        if (!current.Consents.TryGetValue(command.Purpose, out var standing) || !standing.IsStanding)
        {
            return [];
        }

        var c = command.Context;
        return [new ConsentWithdrawn(c.NhsNumber, c.DecisionId, c.DecidedBy, command.Purpose, command.Channel, c.EffectiveAt, c.Now)];
    }

    /// <summary>Every standing permit or refusal whose period has ended expires, effective when its period ended.</summary>
    public static object[] Expire(PatientPreferences current, DateTimeOffset now, Func<Guid> newDecisionId) =>
    [
        .. current.Consents.Values
            .Where(c => c.IsStanding && c.Period?.End is { } end && end <= now)
            .OrderBy(c => c.Purpose, StringComparer.Ordinal)
            .Select(c => new ConsentExpired(NhsNumbers.NhsNumber.Parse(current.Id), newDecisionId(), DecisionMaker.System, c.Purpose, c.DecisionId, c.Period!.End!.Value, now)),
    ];
}
