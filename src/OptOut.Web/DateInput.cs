namespace OptOut.Web;

/// <summary>
/// The NHS date input pattern: one question, a day, a month and a year in three boxes, and one error for the whole date.
/// A consent's end date and the audit trail's period use it, so a date is asked for and read the same way everywhere.
/// </summary>
public sealed record DateInput(string Id, string NamePrefix, string Legend, string Hint, string? Day, string? Month, string? Year, string? Error = null)
{
    /// <summary>The day given, or null with the error to show when the boxes do not make a real date (empty is no error).</summary>
    public DateOnly? Read(string what, string example, out string? error) => Read(Day, Month, Year, what, example, out error);

    /// <summary>The day three boxes give, or null with the error to show when they do not make a real date (all empty is no error: every date asked for is optional).</summary>
    public static DateOnly? Read(string? day, string? month, string? year, string what, string example, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(day) && string.IsNullOrWhiteSpace(month) && string.IsNullOrWhiteSpace(year))
        {
            return null;
        }

        if (!int.TryParse(day, out var d) || !int.TryParse(month, out var m) || !int.TryParse(year, out var y) || y is < 1000 or > 9999 || m is < 1 or > 12 || d < 1 || d > DateTime.DaysInMonth(y, m))
        {
            error = $"Enter a real {what}, for example {example}, or leave it empty";
            return null;
        }

        return new DateOnly(y, m, d);
    }
}
