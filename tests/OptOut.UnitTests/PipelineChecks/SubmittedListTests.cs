using System.Text;
using OptOut.Http;

namespace OptOut.UnitTests.PipelineChecks;

/// <summary>A pipeline's extract read row by row: a CSV as a spreadsheet writes it, and every row answered or counted.</summary>
public class SubmittedListTests
{
    [Theory]
    [InlineData("\"Smith, J\",9434765919,LS1", 1, "9434765919")]
    [InlineData("\"He said \"\"no\"\"\", \"9434765919\" ,x", 1, "9434765919")]
    [InlineData("a,,9434765919", 2, "9434765919")]
    [InlineData("9434765919", 0, "9434765919")]
    [InlineData("\"Smith, J\",\"943 476 5919\"\r", 1, "943 476 5919")]
    public void A_quoted_field_may_hold_commas_and_quotes(string row, int column, string expected)
    {
        Assert.Equal(CsvFields.Found.Field, CsvFields.TryGet(Encoding.UTF8.GetBytes(row), column, out var field));
        Assert.Equal(expected, Encoding.UTF8.GetString(field));
    }

    [Theory]
    [InlineData("\"Smith, J,9434765919", 1, CsvFields.Found.Malformed)]
    [InlineData("\"Smith\" J,9434765919", 1, CsvFields.Found.Malformed)]
    [InlineData("Smith", 1, CsvFields.Found.Missing)]
    [InlineData("9434765919,\"unclosed", 0, CsvFields.Found.Field)]
    public void A_row_that_cannot_reach_its_column_says_why(string row, int column, CsvFields.Found expected)
    {
        Assert.Equal(expected, CsvFields.TryGet(Encoding.UTF8.GetBytes(row), column, out _));
    }

    [Theory]
    [InlineData("\"Smith, J\",9434765919", NhsNumberLine.Outcome.Valid, null)]
    [InlineData("   \r", NhsNumberLine.Outcome.Blank, null)]
    [InlineData("Smith", NhsNumberLine.Outcome.Invalid, "The row ends before its nhsNumber column (column 2).")]
    [InlineData("Smith,  ", NhsNumberLine.Outcome.Invalid, "The row's nhsNumber column is empty.")]
    [InlineData("\"Smith,9434765919", NhsNumberLine.Outcome.Invalid, "A quoted field in this row is not closed on its line")]
    public void Every_CSV_row_is_answered_or_counted_as_invalid(string row, NhsNumberLine.Outcome expected, string? reason)
    {
        var outcome = NhsNumberLine.Parse(Encoding.UTF8.GetBytes(row), 1, out var nhsBase, out var why);

        Assert.Equal(expected, outcome);
        Assert.Equal(expected == NhsNumberLine.Outcome.Valid ? 943476591 : 0, nhsBase);
        if (reason is null)
        {
            Assert.Null(why);
        }
        else
        {
            Assert.StartsWith(reason, why);
        }
    }

    [Theory]
    [InlineData("9434765919,")]
    [InlineData(" \"9434765919\"\r")]
    public void A_plain_or_MESH_line_is_still_read_as_before(string line)
    {
        Assert.Equal(NhsNumberLine.Outcome.Valid, NhsNumberLine.Parse(Encoding.UTF8.GetBytes(line), -1, out _, out _));
    }
}
