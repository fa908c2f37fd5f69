using OptOut.NhsNumbers;
using OptOut.Records;

namespace OptOut.UnitTests.Rules;

/// <summary>A choice is recorded only for a number England, Wales or the Isle of Man issue, unless configured otherwise.</summary>
public class IssuedNumbersTests
{
    [Theory]
    [InlineData("4010232137", true)]
    [InlineData("6000000006", true)]
    [InlineData("7999999997", true)]
    [InlineData("0101991231", false)] // Scotland's CHI: a date of birth and a serial
    [InlineData("3200000007", false)] // Northern Ireland's H&C
    [InlineData("5555555555", false)]
    [InlineData("9434765919", false)] // test-style: allowed only where configured (development)
    public void Unconfigured_it_is_Englands_ranges_never_any_number(string nhsNumber, bool recorded)
    {
        var refusal = new IssuedNumbers().Refusal(NhsNumber.Parse(nhsNumber), "The NHS number");

        Assert.Equal(recorded, refusal is null);
        if (!recorded)
        {
            Assert.StartsWith($"The NHS number {nhsNumber[..3]} {nhsNumber[3..6]} {nhsNumber[6..]} passes the check digit, but England, Wales and the Isle of Man do not issue", refusal);
            Assert.Contains("(they issue 400 000 0000 to 499 999 9999, 600 000 0000 to 799 999 9999)", refusal, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Configured_ranges_replace_Englands()
    {
        var development = new IssuedNumbers { AllocatedRanges = ["4000000000-4999999999", "9000000000-9999999999"] };

        Assert.Null(development.Refusal(NhsNumber.Parse("9434765919"), "x"));
        Assert.NotNull(development.Refusal(NhsNumber.Parse("6000000006"), "x"));
    }

    [Theory]
    [InlineData("4000000000")]
    [InlineData("499-400")]
    [InlineData("4999999999-4000000000")]
    [InlineData("4000000000-49999999990")]
    public void A_range_that_is_not_two_ten_digit_numbers_in_order_stops_the_service(string range)
    {
        var error = Assert.Throws<InvalidOperationException>(() => new IssuedNumbers { AllocatedRanges = [range] }.Validate());
        Assert.Contains(range, error.Message, StringComparison.Ordinal);
    }
}
