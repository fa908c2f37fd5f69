using System.Globalization;

namespace OptOut.Web.Pages.Choices.Consent;

/// <summary>An answer about one purpose: allow (perhaps until a day), do not allow, or remove the answer that stands.</summary>
public static class ConsentAnswer
{
    public const string Permit = "permit";
    public const string Deny = "deny";
    public const string Withdraw = "withdraw";

    public static bool IsValid(string? decision) => decision is Permit or Deny or Withdraw;

    public static string Describe(string decision, DateOnly? until) => decision switch
    {
        Permit when until is { } day => $"Yes, I allow this until {day.ToString("d MMMM yyyy", CultureInfo.InvariantCulture)}",
        Permit => "Yes, I allow this",
        Deny => "No, I do not allow this",
        _ => "Remove my answer",
    };

    /// <summary>The end of the day given, in UK time: a choice "until 1 March" holds all of 1 March.</summary>
    public static DateTimeOffset EndOf(DateOnly day) => Contracts.UkCalendar.StartOf(day.AddDays(1));

    /// <summary>The last day an answer holds, given the end <see cref="EndOf"/> made of it: the UK day before that midnight.</summary>
    public static DateOnly LastDayOf(DateTimeOffset end) => Contracts.UkCalendar.DayOf(end.AddTicks(-1));
}
