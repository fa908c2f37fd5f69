using OptOut.Contracts;

namespace OptOut.UnitTests.Contracts;

/// <summary>The one reader of a client's instants: ISO 8601 with an offset, read to UTC, and nothing it would have to guess.</summary>
public class InstantsTests
{
    [Theory]
    [InlineData("2026-12-07T10:00:00Z", "2026-12-07T10:00:00.0000000+00:00")]
    [InlineData("2026-06-01T00:00:00+01:00", "2026-05-31T23:00:00.0000000+00:00")]
    [InlineData("2026-06-01t00:00z", "2026-06-01T00:00:00.0000000+00:00")]
    [InlineData("2026-12-07T10:00:00.1234567-05:00", "2026-12-07T15:00:00.1234567+00:00")]
    public void Reads_a_date_time_with_its_offset_as_UTC(string text, string utc)
    {
        Assert.True(Instants.TryParse(text, out var instant, out var why), why);
        Assert.Equal(utc, instant.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(TimeSpan.Zero, instant.Offset);
    }

    [Theory]
    [InlineData("07/12/2026", "is not an ISO 8601 date-time with its offset")]
    [InlineData("Dec 7 2026", "is not an ISO 8601 date-time with its offset")]
    [InlineData("2026-12-07", "is not an ISO 8601 date-time with its offset")]
    [InlineData("2026-12-07T10:00:00", "has no offset")]
    [InlineData("2026-06-01T00:00:00 01:00", "send + as %2B")]
    [InlineData("2026-02-30T00:00:00Z", "is not a date and time there could be")]
    [InlineData("2026-12-07T25:00:00Z", "is not a date and time there could be")]
    [InlineData("２０２６-12-07T10:00:00Z", "is not an ISO 8601")]
    [InlineData("2026-12-07T10:00:00.12345678Z", "is not an ISO 8601")]
    [InlineData("", "is not an ISO 8601")]
    public void Refuses_what_it_would_have_to_guess_and_says_why(string text, string why)
    {
        Assert.False(Instants.TryParse(text, out _, out var reason));
        Assert.Contains(why, reason, StringComparison.Ordinal);
    }
}
