namespace OptOut.Web;

/// <summary>The API's codes in words a patient understands, at a reading age of about 9.</summary>
public static class Words
{
    /// <summary>A catalogue purpose said to the patient; the catalogue's own title (written for staff) when there are no better words.</summary>
    public static string Purpose(string purpose, string? title = null) => purpose switch
    {
        "wearable-data-sharing" => "Sharing data from a wearable device with your GP",
        "gp-record-access" => "Seeing your GP record online",
        "research" => "Research",
        "planning" => "Planning and improving services",
        _ => title ?? char.ToUpperInvariant(purpose[0]) + purpose[1..].Replace('-', ' '),
    };

    /// <summary>A consent's state as its summary line says it: to the patient, or to a proxy acting for them.</summary>
    public static string Consent(Consent? c, bool forSomeoneElse) => (c?.Status, c?.InForce, c?.Period?.End, forSomeoneElse) switch
    {
        ("permit", true, { } end, false) => $"You allowed this until {Dates.Day(end.AddTicks(-1))}",
        ("permit", true, { } end, true) => $"Allowed until {Dates.Day(end.AddTicks(-1))}",
        ("permit", true, null, false) => "You allowed this",
        ("permit", true, null, true) => "Allowed",
        ("deny", true, _, false) => "You did not allow this",
        ("deny", true, _, true) => "Not allowed",
        ("withdrawn", _, _, false) => "You removed your answer",
        ("withdrawn", _, _, true) => "Answer removed",
        (_, false, { } end, false) when end <= DateTimeOffset.UtcNow => $"Your answer ended on {Dates.Day(end)}",
        (_, false, { } end, true) when end <= DateTimeOffset.UtcNow => $"The answer ended on {Dates.Day(end)}",
        (_, _, _, false) => "You have not answered",
        _ => "Not answered",
    };

    /// <summary>As NHS numbers are written for people: 943 476 5919.</summary>
    /// <summary>How a choice reached OptOut, from the API's channel names.</summary>
    public static string Channel(string channel) => channel switch
    {
        "online" => "Online",
        "nhs-app" => "NHS App",
        "nhs-form" => "Form on NHS website",
        "call-centre" => "Phone call",
        "paper" => "Paper form",
        "migrated" => "Moved from the previous system",
        _ => channel,
    };

    public static string ConsentState(string state) => state switch
    {
        "permit" => "Allowed",
        "deny" => "Refused",
        "withdrawn" => "Answer removed",
        "expired" => "Ended",
        _ => state,
    };

    /// <summary>What a staff form says of an NHS number it cannot use: a missing one is asked for, not called invalid.</summary>
    public static string NhsNumberProblem(string? given, string problem) =>
        string.IsNullOrWhiteSpace(given) ? "Enter the patient's NHS number" : $"Enter a valid NHS number: {problem}";

    public static string NhsNumber(string tenDigits) => tenDigits.Length == 10 ? $"{tenDigits[..3]} {tenDigits[3..6]} {tenDigits[6..]}" : tenDigits;

    public static string ProxyRole(string role) => role switch
    {
        "guardian" => "A parent or guardian",
        "power-of-attorney" => "Someone with lasting power of attorney",
        "court-deputy" => "A deputy appointed by a court",
        _ => "Someone authorised to act for you",
    };

    /// <summary>The capacity a proxy acts in, said to the proxy.</summary>
    public static string YourCapacity(string role) => role switch
    {
        "guardian" => "as their parent or guardian",
        "power-of-attorney" => "with lasting power of attorney",
        "court-deputy" => "as their court-appointed deputy",
        _ => "as someone authorised to act for them",
    };

    /// <summary>Who used a record, in a patient's words, from the role the audit trail names.</summary>
    public static string Who(AccessLogEntry e) => e.ByYou ? "You" : e.ActorRole switch
    {
        "pipeline" => $"An organisation preparing health data for research or planning ({e.Actor})",
        "dpo" => "A data protection officer at OptOut",
        "admin" => "NHS staff recording a choice",
        "practice" => "Your GP practice",
        "proxy" => "Someone authorised to act for you",
        "patient" => "You",
        "system" => "This service",
        _ => "Someone without permission (they were refused)",
    };

    /// <summary>What the user of the record was told, in words.</summary>
    public static string Told(AccessLogEntry e) => (e.Outcome, e.Answer) switch
    {
        ( >= 400, _) => "They were refused and told nothing",
        (_, "deny") => "Told not to use your data",
        (_, "permit") => "Told they may use your data",
        (_, "opted-out") => "Told you have opted out",
        (_, "not-opted-out") => "Told you have not opted out",
        _ => e.Kind == "change" ? "A change to your choices" : "Shown your choices",
    };

    /// <summary>A recorded decision, in words.</summary>
    public static string Decision(string eventType) => eventType switch
    {
        "national-data-opt-out-set" => "Opted out of research and planning",
        "national-data-opt-out-withdrawn" => "Allowed research and planning",
        "type1-opt-out-recorded" => "GP practice recorded a Type 1 opt-out",
        "type1-opt-out-withdrawn" => "GP practice removed a Type 1 opt-out",
        "consent-granted" => "Gave consent",
        "consent-refused" => "Refused consent",
        "consent-withdrawn" => "Withdrew a consent choice",
        "consent-expired" => "A consent choice ended",
        "proxy-authorised" => "Someone was authorised to act for you",
        "proxy-authority-revoked" => "Someone's authority to act for you ended",
        "nhs-number-superseded" or "superseded-record-merged" => "Your records were joined under one NHS number",
        _ => eventType.Replace('-', ' '),
    };

    public static string By(DecidedBy by) => by.Capacity switch
    {
        "proxy" => $"{ProxyRole(by.ProxyRole ?? "")}, for you",
        "system" => "This service",
        _ => by.RecordedByRole == "patient" ? "You" : "NHS staff, for you",
    };
}

/// <summary>Dates as people write them: 26 November 2026, in UK time.</summary>
public static class Dates
{
    private static readonly TimeZoneInfo London = TimeZoneInfo.TryFindSystemTimeZoneById("Europe/London", out var london) ? london : TimeZoneInfo.Utc;

    public static string Day(DateTimeOffset? at) => at is { } value
        ? TimeZoneInfo.ConvertTime(value, London).ToString("d MMMM yyyy", System.Globalization.CultureInfo.InvariantCulture)
        : "";

    /// <summary>The NHS style for a moment: "5 December 2026 at 9:50pm", "at 9am" on the hour, in UK time.</summary>
    public static string DayAndTime(DateTimeOffset at)
    {
        var local = TimeZoneInfo.ConvertTime(at, London);
        var time = local.ToString(local.Minute == 0 ? "%h" : "h:mm", System.Globalization.CultureInfo.InvariantCulture) + (local.Hour < 12 ? "am" : "pm");
        return $"{Day(at)} at {time}";
    }
}
