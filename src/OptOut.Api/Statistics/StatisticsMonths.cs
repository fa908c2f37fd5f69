namespace OptOut.Statistics;

/// <summary>
/// Figures are by calendar month in UK time, the way NHS England publishes them; a change counts in the month
/// OptOut recorded it, so a month's figures are what the system of record held at its end.
/// </summary>
public static class StatisticsMonths
{
    public static DateOnly Of(DateTimeOffset instant)
    {
        var day = Contracts.UkCalendar.DayOf(instant);
        return new DateOnly(day.Year, day.Month, 1);
    }

    public static string Name(DateOnly month) => month.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
}
