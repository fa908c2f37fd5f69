using OptOut.Records;
using OptOut.Supersession;

namespace OptOut.UnitTests.Rules;

/// <summary>Staff put a refused merge right from its message alone, so it names the number at fault and the one that stands.</summary>
public class SupersessionDeciderTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static string Standing(string nhsNumber) => nhsNumber == "9434765919" ? "9000000092" : nhsNumber == "9000000017" ? "9000000033" : nhsNumber;

    [Fact]
    public void Merging_a_number_already_merged_names_where_it_went()
    {
        var old = PatientPreferences.Empty("9000000017") with { SupersededBy = "9000000033" };

        var refused = SupersessionDecider.Decide(old, PatientPreferences.Empty("9434765919"), DecisionMaker.System, Now, Standing).Refused;

        Assert.Equal(RefusalKind.AlreadySuperseded, refused?.Kind);
        Assert.Equal("9000000017 has already been merged into 9000000033: merge 9000000033 instead, the number that stands now.", refused?.Detail);
    }

    [Fact]
    public void Merging_into_a_number_already_merged_names_the_one_that_stands()
    {
        var replacement = PatientPreferences.Empty("9434765919") with { SupersededBy = "4010232137" };

        var refused = SupersessionDecider.Decide(PatientPreferences.Empty("9000000009"), replacement, DecisionMaker.System, Now, Standing).Refused;

        Assert.Equal("newNhsNumber 9434765919 has already been merged into 4010232137, and that into 9000000092: merge into 9000000092, the number that stands now.", refused?.Detail);
    }

    [Fact]
    public void Reversing_a_merge_is_refused_and_nothing_is_recorded()
    {
        var survivor = PatientPreferences.Empty("9000000033") with { Supersedes = ["9000000025"] };
        var merged = PatientPreferences.Empty("9000000025") with { SupersededBy = "9000000033" };

        var decided = SupersessionDecider.Decide(survivor, merged, DecisionMaker.System, Now, Standing);

        Assert.Empty(decided.Events);
        Assert.Equal("newNhsNumber 9000000025 was merged into 9000000033: a merge cannot be reversed.", decided.Refused?.Detail);
    }
}
