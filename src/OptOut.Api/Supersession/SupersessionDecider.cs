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

        if (oldRecord.SupersededBy is not null || newRecord.SupersededBy is not null || oldRecord.Supersedes.Contains(newRecord.Id))
        {
            return Decided.Refuse(RefusalKind.AlreadySuperseded,
                "One of these numbers has already been merged into another record. Merge into the number that stands now.");
        }

        var (old, replacement, decision) = (NhsNumber.Parse(oldRecord.Id), NhsNumber.Parse(newRecord.Id), Guid.CreateVersion7(now));
        return new Decided([new NhsNumberSuperseded(old, decision, by, replacement, now, now)])
        {
            RelatedEvents = [new SupersededRecordMerged(replacement, decision, by, old, oldRecord, now, now)],
            AnswerWithRelated = true,
        };
    }
}
