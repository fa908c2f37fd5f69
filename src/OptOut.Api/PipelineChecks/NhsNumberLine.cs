using System.Text;
using OptOut.NhsNumbers;

namespace OptOut.PipelineChecks;

/// <summary>
/// Reads one NHS number from one line of a submitted list: plain, the MESH .dat form (a trailing comma),
/// or one column of a CSV row; LF or CRLF. Ten ASCII digits take a fast path that allocates nothing.
/// </summary>
public static class NhsNumberLine
{
    public enum Outcome
    {
        Blank,
        Valid,
        Invalid,
    }

    public static Outcome Parse(ReadOnlySpan<byte> line, int csvColumn, out int nhsBase, out string? reason)
    {
        nhsBase = 0;
        reason = null;
        var field = Field(line, csvColumn);
        if (field.IsEmpty)
        {
            return Outcome.Blank;
        }

        if (field.Length == 10 && TryTenAsciiDigits(field, out nhsBase, out reason))
        {
            return Outcome.Valid;
        }

        if (reason is not null)
        {
            return Outcome.Invalid;
        }

        // Grouped numbers, non-ASCII digits and everything else: the domain type says which rule failed.
        if (NhsNumber.TryParse(Encoding.UTF8.GetString(field), out var number, out reason))
        {
            nhsBase = number.Base;
            return Outcome.Valid;
        }

        return Outcome.Invalid;
    }

    /// <summary>The column's text with CR, surrounding blanks, a trailing comma and quotes removed.</summary>
    public static ReadOnlySpan<byte> Field(ReadOnlySpan<byte> line, int csvColumn)
    {
        if (csvColumn >= 0)
        {
            for (var i = 0; i < csvColumn; i++)
            {
                var comma = line.IndexOf((byte)',');
                if (comma < 0)
                {
                    return [];
                }

                line = line[(comma + 1)..];
            }

            var end = line.IndexOf((byte)',');
            line = end < 0 ? line : line[..end];
        }

        line = line.Trim(" \t\r"u8);
        if (csvColumn < 0 && line.Length > 0 && line[^1] == (byte)',')
        {
            line = line[..^1].TrimEnd(" \t"u8);
        }

        return line.Length >= 2 && line[0] == (byte)'"' && line[^1] == (byte)'"' ? line[1..^1] : line;
    }

    private static bool TryTenAsciiDigits(ReadOnlySpan<byte> digits, out int nhsBase, out string? reason)
    {
        nhsBase = 0;
        reason = null;
        var sum = 0;
        for (var i = 0; i < 10; i++)
        {
            var d = digits[i] - (byte)'0';
            if ((uint)d > 9)
            {
                return false;
            }

            if (i < 9)
            {
                sum += d * (10 - i);
                nhsBase = (nhsBase * 10) + d;
            }
        }

        var check = 11 - (sum % 11);
        check = check == 11 ? 0 : check;
        if (check == 10)
        {
            reason = "Not an NHS number: its first nine digits give a check digit of 10, which no NHS number has.";
            return false;
        }

        if (digits[9] - (byte)'0' != check)
        {
            reason = "The NHS number's check digit (its last digit) does not match its first nine digits.";
            return false;
        }

        return true;
    }
}
