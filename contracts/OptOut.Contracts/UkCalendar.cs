namespace OptOut.Contracts;

/// <summary>
/// Days as the UK has them (GMT in winter, BST in summer): a birthday, the day the service began, today. A UK day
/// starts an hour before the UTC one in summer, so a rule keyed to a day and reckoned in UTC is an hour out for half
/// the year (a guardian would keep their authority into the first hour of a 13th birthday). Shared by the service and its pages, which must agree on where a day begins.
/// </summary>
public static class UkCalendar
{
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");

    /// <summary>The instant <paramref name="day"/> begins in the UK.</summary>
    public static DateTimeOffset StartOf(DateOnly day)
    {
        var midnight = day.ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(midnight, London.GetUtcOffset(midnight));
    }

    /// <summary>The UK day <paramref name="at"/> falls on.</summary>
    public static DateOnly DayOf(DateTimeOffset at) => DateOnly.FromDateTime(InUk(at).DateTime);

    /// <summary><paramref name="at"/> as a clock in the UK shows it.</summary>
    public static DateTimeOffset InUk(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, London);
}
