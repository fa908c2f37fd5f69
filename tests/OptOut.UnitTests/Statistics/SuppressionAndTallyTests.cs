using OptOut.Records;
using OptOut.Statistics;
using OptOut.NhsNumbers;

namespace OptOut.UnitTests.Statistics;

public class SuppressionAndTallyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly November = new(2026, 11, 1);

    [Theory]
    [InlineData(0, null)]
    [InlineData(9, null)]
    [InlineData(10, 10L)]
    [InlineData(12, 10L)]
    [InlineData(13, 15L)]
    [InlineData(3_499_998, 3_500_000L)]
    public void Counts_below_ten_are_withheld_and_the_rest_rounded_to_the_nearest_five(long count, long? published) =>
        Assert.Equal(published, new SmallNumberSuppression().Publish(count));

    [Fact]
    public void A_higher_threshold_never_publishes_a_count_rounded_below_it()
    {
        var suppression = new SmallNumberSuppression { Threshold = 12, RoundTo = 5 };

        Assert.Null(suppression.Publish(11));
        Assert.Equal(15, suppression.Publish(12));
    }

    [Fact]
    public void A_month_is_a_calendar_month_in_UK_time()
    {
        // 23:30 UTC on 31 October 2026 is still October in London (GMT); 23:30 UTC on 31 May is 1 June (BST).
        Assert.Equal(new DateOnly(2026, 10, 1), StatisticsMonths.Of(new DateTimeOffset(2026, 10, 31, 23, 30, 0, TimeSpan.Zero)));
        Assert.Equal(new DateOnly(2026, 6, 1), StatisticsMonths.Of(new DateTimeOffset(2026, 5, 31, 23, 30, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void Two_opted_out_records_merged_count_once()
    {
        var (old, survivor) = (OptedOut("9434765919"), OptedOut("9876543210"));
        var merge = new SupersededRecordMerged(NhsNumber.Parse(survivor.Id), Guid.NewGuid(), DecisionMaker.System, NhsNumber.Parse(old.Id), old, Now, Now);
        var superseded = new NhsNumberSuperseded(NhsNumber.Parse(old.Id), Guid.NewGuid(), DecisionMaker.System, NhsNumber.Parse(survivor.Id), Now, Now);
        var tally = new StatisticsTally();

        tally.Change(November, Standing.Of(survivor), Standing.Of(survivor.Applying(merge)));
        tally.Change(November, Standing.Of(old), Standing.Of(old.Applying(superseded)));

        Assert.Equal(-1, tally.Monthly[(November, Measures.NationalInForce, Measures.Total)]);
    }

    [Fact]
    public void A_proxys_paper_opt_out_counts_as_set_by_a_proxy_through_the_paper_channel()
    {
        var by = new DecisionMaker("agent", "admin", ProxyRole.Guardian, "BC-1", "CASE-1");
        var tally = new StatisticsTally();

        tally.Flow(November, new NationalDataOptOutSet(NhsNumber.Parse("9434765919"), Guid.NewGuid(), by, Channel.Paper, null, Now, Now));

        Assert.Equal(1, tally.Monthly[(November, Measures.NationalSet, Measures.Total)]);
        Assert.Equal(1, tally.Monthly[(November, Measures.NationalSet, Measures.ByProxy)]);
        Assert.Equal(1, tally.Monthly[(November, Measures.NationalSet, "channel:paper")]);
        Assert.False(tally.Monthly.ContainsKey((November, Measures.NationalSet, Measures.BySelf)));
    }

    private static PatientPreferences OptedOut(string nhs) => PatientPreferences.Empty(nhs).Applying(
        new NationalDataOptOutSet(NhsNumber.Parse(nhs), Guid.NewGuid(), new DecisionMaker(nhs, "patient", null, null, null), Channel.Online, null, Now, Now));
}
