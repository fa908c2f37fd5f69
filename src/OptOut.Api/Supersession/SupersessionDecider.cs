using OptOut.Records;
using OptOut.NhsNumbers;

namespace OptOut.Supersession;

public static class SupersessionDecider
{
    /// <summary>
    /// The old record points at the new one, and the new one takes the old one's choices. Repeating a supersession
    /// already recorded records nothing; merging a number that is already merged elsewhere is refused.
    /// </summary>
    /// <param name="standing">The number each side's record stands under now, after every merge (a refusal names it).</param>
    public static Decided Decide(PatientPreferences oldRecord, PatientPreferences newRecord, DecisionMaker by, DateTimeOffset now, Func<string, string> standing)
    {
        if (oldRecord.SupersededBy == newRecord.Id)
        {
            return new Decided([]) { AnswerWithRelated = true };
        }

        if (Conflict(oldRecord, newRecord, standing) is { } conflict)
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
    private static string? Conflict(PatientPreferences oldRecord, PatientPreferences newRecord, Func<string, string> standing)
    {
        if (oldRecord.SupersededBy is { } into)
        {
            var stands = standing(oldRecord.Id);
            return $"{oldRecord.Id} has already been merged into {into}{(stands == into ? "" : $", and that into {stands}")}: merge {stands} instead, the number that stands now.";
        }

        if (oldRecord.Supersedes.Contains(newRecord.Id))
        {
            return $"newNhsNumber {newRecord.Id} was merged into {oldRecord.Id}: a merge cannot be reversed.";
        }

        if (newRecord.SupersededBy is not { } newInto)
        {
            return null;
        }

        var newStands = standing(newRecord.Id);
        return $"newNhsNumber {newRecord.Id} has already been merged into {newInto}{(newStands == newInto ? "" : $", and that into {newStands}")}: merge into {newStands}, the number that stands now.";
    }
}
