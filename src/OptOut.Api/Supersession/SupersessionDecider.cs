using OptOut.Records;
using OptOut.NhsNumbers;

namespace OptOut.Supersession;

public static class SupersessionDecider
{
    /// <summary>
    /// The old record points at the new one, and the new one takes the old one's choices. Repeating a supersession
    /// already recorded records nothing; merging a number that is already merged elsewhere is refused.
    /// </summary>
    public static Decided Decide(PatientPreferences oldRecord, PatientPreferences newRecord, DecisionMaker by, DateTimeOffset now)
    {
        if (oldRecord.SupersededBy == newRecord.Id)
        {
            return new Decided([]) { AnswerWithRelated = true };
        }

        if (Conflict(oldRecord, newRecord) is { } conflict)
        {
            return Decided.Refuse(RefusalKind.AlreadySuperseded, conflict);
        }

        var (old, replacement, decision) = (NhsNumber.Parse(oldRecord.Id), NhsNumber.Parse(newRecord.Id), Guid.CreateVersion7(now));
        return new Decided([new NhsNumberSuperseded(old, decision, by, replacement, now, now)])
        {
            RelatedEvents = [new SupersededRecordMerged(replacement, decision, by, old, oldRecord, now, now)],
            AnswerWithRelated = true,
        };
    }

    /// <summary>Why the merge cannot be recorded, naming the number at fault and the one that stands for it, so staff can put it right.</summary>
    private static string? Conflict(PatientPreferences oldRecord, PatientPreferences newRecord)
    {
        if (oldRecord.SupersededBy is { } oldStands)
        {
            return $"{oldRecord.Id} has already been merged into {oldStands}: merge {oldStands} instead, the number that stands now.";
        }

        if (oldRecord.Supersedes.Contains(newRecord.Id))
        {
            return $"newNhsNumber {newRecord.Id} was merged into {oldRecord.Id}: a merge cannot be reversed.";
        }

        return newRecord.SupersededBy is { } newStands
            ? $"newNhsNumber {newRecord.Id} has already been merged into {newStands}: merge into {newStands}, the number that stands now."
            : null;
    }
}
