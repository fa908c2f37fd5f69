using System.Text;
using OptOut.NhsNumbers;

namespace OptOut.Http;

/// <summary>
/// Reads one NHS number from one line of a submitted list: plain, the MESH .dat form (a trailing comma),
/// or one column of a CSV row (<see cref="CsvFields"/>); LF or CRLF. Ten ASCII digits take the codec's fast path, which allocates nothing.
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
        ReadOnlySpan<byte> field;
        if (csvColumn < 0)
        {
            field = PlainField(line);
            if (field.IsEmpty)
            {
                return Outcome.Blank;
            }
        }
        else if (!TryCsvField(line, csvColumn, out field, out reason))
        {
            return reason is null ? Outcome.Blank : Outcome.Invalid;
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

    /// <summary>A plain or MESH line: CR, surrounding blanks, a trailing comma and quotes removed.</summary>
    private static ReadOnlySpan<byte> PlainField(ReadOnlySpan<byte> line)
    {
        line = line.Trim(" \t\r"u8);
        if (line.Length > 0 && line[^1] == (byte)',')
        {
            line = line[..^1].TrimEnd(" \t"u8);
        }

        return line.Length >= 2 && line[0] == (byte)'"' && line[^1] == (byte)'"' ? line[1..^1] : line;
    }

    /// <summary>
    /// The named column of a CSV row. A blank line is skipped (false, no reason); a row that has no NHS number there is
    /// reported (false, with the reason), so every row of an extract is either answered or counted as invalid.
    /// </summary>
    private static bool TryCsvField(ReadOnlySpan<byte> line, int column, out ReadOnlySpan<byte> field, out string? reason)
    {
        reason = null;
        field = default;
        if (line.Trim(" \t\r"u8).IsEmpty)
        {
            return false;
        }

        switch (CsvFields.TryGet(line, column, out field))
        {
            case CsvFields.Found.Malformed:
                reason = "A quoted field in this row is not closed on its line, or has text after its closing quote: each row is one line.";
                return false;
            case CsvFields.Found.Missing:
                reason = $"The row ends before its nhsNumber column (column {column + 1}).";
                return false;
        }

        field = field.Trim(" \t\r"u8);
        if (field.IsEmpty)
        {
            reason = "The row's nhsNumber column is empty.";
            return false;
        }

        return true;
    }
}

public sealed record InvalidLine(long Line, string Reason);
