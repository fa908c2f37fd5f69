using System.Globalization;
using OptOut.NhsNumbers;

namespace OptOut.Records;

/// <summary>
/// The NHS numbers OptOut records choices for: those England, Wales and the Isle of Man issue (400 000 0000 to
/// 499 999 9999 and 600 000 0000 to 799 999 9999). A number elsewhere still passes the check digit, but it is
/// Scotland's CHI, Northern Ireland's H&amp;C or a test number (999), so a choice recorded for it is a mistyped number or
/// a record the national data opt-out does not cover. Which ranges is policy, so it is configuration
/// (<c>NhsNumbers:AllocatedRanges</c>, each "first-last" as ten digits); development adds the test-style numbers.
/// Reads and checks answer for any valid number: only recording a choice is refused.
/// </summary>
public sealed class IssuedNumbers
{
    private static readonly string[] England = ["4000000000-4999999999", "6000000000-7999999999"];

    private (long First, long Last)[]? _parsed;

    /// <summary>Configured ranges; none configured means England's, never "any number".</summary>
    public List<string> AllocatedRanges { get; set; } = [];

    private (long First, long Last)[] Parsed => _parsed ??= [.. (AllocatedRanges.Count == 0 ? England : [.. AllocatedRanges]).Select(Parse)];

    /// <summary>Null if OptOut records choices for this number, else why not, in words for the person who typed it.</summary>
    public string? Refusal(NhsNumber number, string name)
    {
        var value = long.Parse(number.Value, CultureInfo.InvariantCulture);
        if (Parsed.Any(r => value >= r.First && value <= r.Last))
        {
            return null;
        }

        var ranges = string.Join(", ", Parsed.Select(r => $"{Grouped(r.First)} to {Grouped(r.Last)}"));
        return $"{name} {Grouped(value)} passes the check digit, but England, Wales and the Isle of Man do not issue numbers in its range " +
            $"(they issue {ranges}), so OptOut records no choice for it: check the number. Scotland's CHI and Northern Ireland's H&C numbers are out of scope.";
    }

    /// <summary>Throws on a range that is not two ten-digit numbers in order, so a bad setting stops the service at start.</summary>
    public void Validate() => _ = Parsed;

    private static (long, long) Parse(string range)
    {
        var parts = range.Split('-', StringSplitOptions.TrimEntries);
        if (parts is [{ Length: 10 } first, { Length: 10 } last] && long.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var from)
            && long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var to) && from <= to)
        {
            return (from, to);
        }

        throw new InvalidOperationException($"NhsNumbers:AllocatedRanges holds '{range}': each range is first-last, two ten-digit numbers in order.");
    }

    private static string Grouped(long value)
    {
        var digits = value.ToString("D10", CultureInfo.InvariantCulture);
        return $"{digits[..3]} {digits[3..6]} {digits[6..]}";
    }
}
