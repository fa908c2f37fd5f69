using System.Text;
using OptOut.NhsNumbers;

namespace OptOut.Http;

/// <summary>
/// Reads one NHS number from one line of a submitted list: plain, the MESH .dat form (a trailing comma),
/// or one column of a CSV row; LF or CRLF. Ten ASCII digits take the codec's fast path, which allocates nothing.
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
        var field = Field(line, csvColumn);
        if (field.IsEmpty)
        {
            reason = null;
            return Outcome.Blank;
        }

        if (NhsNumber.TryParseAscii(field, out nhsBase, out reason))
        {
            return Outcome.Valid;
        }

        if (reason is not null)
        {
            return Outcome.Invalid;
        }

        // Grouped numbers, non-ASCII digits and everything else: the codec says which rule failed.
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
}

public sealed record InvalidLine(long Line, string Reason);
