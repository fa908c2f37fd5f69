namespace OptOut.Http;

/// <summary>
/// One field of one CSV row, read as RFC 4180 reads it within a line: a field may be quoted, and a quoted field may hold
/// commas ("Smith, J") and doubled quotes. Lists are read a line at a time as they arrive, so a quoted field that runs
/// over its line's end is malformed here rather than joined to the next line. Works on the bytes: a bulk check reads
/// millions of rows and allocates nothing per row.
/// </summary>
public static class CsvFields
{
    public enum Found
    {
        Field,

        /// <summary>The row ends before the column.</summary>
        Missing,

        /// <summary>A quoted field up to the column is not closed on the line, or has text after its closing quote.</summary>
        Malformed,
    }

    /// <summary>Column <paramref name="column"/> (from 0), without its quotes; a doubled quote inside is left doubled.</summary>
    public static Found TryGet(ReadOnlySpan<byte> line, int column, out ReadOnlySpan<byte> field)
    {
        field = default;
        for (var index = 0; ; index++)
        {
            int next;
            var lead = line.IndexOfAnyExcept(" \t"u8);
            if (lead >= 0 && line[lead] == (byte)'"')
            {
                var close = ClosingQuote(line, lead + 1);
                if (close < 0)
                {
                    return Found.Malformed;
                }

                var comma = line[(close + 1)..].IndexOf((byte)',');
                var between = comma < 0 ? line[(close + 1)..] : line.Slice(close + 1, comma);
                if (!between.Trim(" \t\r"u8).IsEmpty)
                {
                    return Found.Malformed;
                }

                field = line[(lead + 1)..close];
                next = comma < 0 ? -1 : close + 1 + comma;
            }
            else
            {
                next = line.IndexOf((byte)',');
                field = next < 0 ? line : line[..next];
            }

            if (index == column)
            {
                return Found.Field;
            }

            if (next < 0)
            {
                field = default;
                return Found.Missing;
            }

            line = line[(next + 1)..];
        }
    }

    private static int ClosingQuote(ReadOnlySpan<byte> line, int from)
    {
        for (var i = from; i < line.Length; i++)
        {
            var quote = line[i..].IndexOf((byte)'"');
            if (quote < 0)
            {
                return -1;
            }

            i += quote;
            if (i + 1 < line.Length && line[i + 1] == (byte)'"')
            {
                i++;
                continue;
            }

            return i;
        }

        return -1;
    }
}
