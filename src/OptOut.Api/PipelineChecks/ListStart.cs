using System.Buffers;
using System.IO.Pipelines;
using System.Security.Cryptography;
using System.Text;
using OptOut.Http;

namespace OptOut.PipelineChecks;

/// <summary>
/// The start of a submitted list, before its rows: a byte order mark to pass over, and a CSV's header row naming the
/// column to read. Everything read is hashed, so the list's SHA-256 is of the bytes as sent.
/// </summary>
internal static class ListStart
{
    /// <summary>A spreadsheet's "CSV UTF-8" starts with a byte order mark; it is hashed with the list but is no part of its first line.</summary>
    public static async Task SkipByteOrderMarkAsync(PipeReader reader, IncrementalHash hash, CancellationToken ct)
    {
        while (true)
        {
            var result = await reader.ReadAsync(ct);
            var buffer = result.Buffer;
            if (buffer.Length < 3 && !result.IsCompleted)
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                continue;
            }

            Span<byte> start = stackalloc byte[3];
            if (buffer.Length >= 3)
            {
                buffer.Slice(0, 3).CopyTo(start);
            }

            var bom = buffer.Length >= 3 && start.SequenceEqual("\uFEFF"u8);
            if (bom)
            {
                hash.AppendData(start);
            }

            reader.AdvanceTo(bom ? buffer.GetPosition(3) : buffer.Start);
            return;
        }
    }

    public static async Task<byte[]> ReadLineAsync(PipeReader reader, IncrementalHash hash, CancellationToken ct)
    {
        while (true)
        {
            var result = await reader.ReadAsync(ct);
            var buffer = result.Buffer;
            var newline = buffer.PositionOf((byte)'\n');
            if (newline is not null || result.IsCompleted)
            {
                var lineEnd = newline is { } n ? buffer.GetPosition(1, n) : buffer.End;
                var header = buffer.Slice(0, lineEnd).ToArray();
                hash.AppendData(header);
                reader.AdvanceTo(lineEnd);
                return header;
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>The header row's nhsNumber column, read as the rows are (<see cref="CsvFields"/>); named once, in any of its usual spellings.</summary>
    public static bool TryColumnOf(byte[] header, out int column, out string problem)
    {
        column = -1;
        problem = "A text/csv list starts with a header row naming its nhsNumber column (nhsNumber, nhs_number or NHS Number).";
        for (var i = 0; CsvFields.TryGet(header, i, out var field) == CsvFields.Found.Field; i++)
        {
            var name = Encoding.UTF8.GetString(field.Trim(" \t\r\n"u8)).Replace(" ", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal);
            if (!name.Equals("nhsnumber", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (column >= 0)
            {
                // Two columns, perhaps the patient's and a parent's: which one the pipeline meant cannot be guessed.
                problem = $"The header row names an nhsNumber column twice (columns {column + 1} and {i + 1}): send the one to check.";
                return false;
            }

            column = i;
        }

        return column >= 0;
    }
}
