namespace OptOut.Web;

/// <summary>The API's codes in words a patient understands, at a reading age of about 9.</summary>
public static class Words
{
    public static string Purpose(string purpose) => purpose switch
    {
        "wearable-data-sharing" => "Sharing data from a wearable device with your GP",
        "gp-record-access" => "Seeing your GP record online",
        "research" => "Research",
        "planning" => "Planning and improving services",
        _ => char.ToUpperInvariant(purpose[0]) + purpose[1..].Replace('-', ' '),
    };

    public static string Consent(Consent c) => (c.Status, c.InForce, c.Period?.End) switch
    {
        ("permit", true, { } end) => $"You allowed this until {Dates.Day(end)}",
        ("permit", true, null) => "You allowed this",
        ("deny", true, _) => "You did not allow this",
        (_, false, { } end) when end <= DateTimeOffset.UtcNow => $"Your choice ended on {Dates.Day(end)}",
        _ => "No choice in force",
    };

    public static string ProxyRole(string role) => role switch
    {
        "guardian" => "A parent or guardian",
        "power-of-attorney" => "Someone with lasting power of attorney",
        "court-deputy" => "A deputy appointed by a court",
        _ => "Someone authorised to act for you",
    };
}

/// <summary>Dates as people write them: 26 November 2026, in UK time.</summary>
public static class Dates
{
    private static readonly TimeZoneInfo London = TimeZoneInfo.TryFindSystemTimeZoneById("Europe/London", out var london) ? london : TimeZoneInfo.Utc;

    public static string Day(DateTimeOffset? at) => at is { } value
        ? TimeZoneInfo.ConvertTime(value, London).ToString("d MMMM yyyy", System.Globalization.CultureInfo.InvariantCulture)
        : "";
}
