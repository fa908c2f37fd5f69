using OptOut.Audit.Reports;

namespace OptOut.UnitTests.Audit;

/// <summary>A run still marked running reads as interrupted once it has stopped reporting: its server died mid-run.</summary>
public class VerificationRunTests
{
    private static readonly DateTimeOffset Reported = new(2026, 12, 7, 22, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_run_that_reported_lately_is_still_running()
    {
        var run = new VerificationRun { UpdatedAt = Reported }.AsSeenAt(Reported + VerificationRun.Lapsed);
        Assert.Equal("running", run.Status);
        Assert.Null(run.Problem);
    }

    [Fact]
    public void A_run_silent_for_longer_than_the_lapse_was_interrupted()
    {
        var run = new VerificationRun { UpdatedAt = Reported }.AsSeenAt(Reported + VerificationRun.Lapsed + TimeSpan.FromSeconds(1));
        Assert.Equal("interrupted", run.Status);
        Assert.Contains("Nothing was concluded", run.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_finished_run_stays_as_it_finished_however_old()
    {
        var run = new VerificationRun { UpdatedAt = Reported, Status = "completed" }.AsSeenAt(Reported.AddYears(1));
        Assert.Equal("completed", run.Status);
    }
}
