namespace OptOut.Web;

/// <summary>The API's codes in words a patient understands, at a reading age of about 9.</summary>
public static class Words
{
    /// <summary>A catalogue purpose said to the reader; the catalogue's own title (written for staff) when there are no better words.</summary>
    public static string Purpose(string purpose, Voice voice, string? title = null) => purpose switch
    {
        "wearable-data-sharing" => $"Sharing data from a wearable device with {voice.Your} GP",
        "gp-record-access" => $"Seeing {voice.Your} GP record online",
        "research" => "Research",
        "planning" => "Planning and improving services",
        _ => title ?? char.ToUpperInvariant(purpose[0]) + purpose[1..].Replace('-', ' '),
    };

    /// <summary>A consent's state as its summary line says it: to the patient, or to a proxy acting for them.</summary>
    public static string Consent(Consent? c, Voice voice) => (c?.Status, c?.InForce, c?.Period?.End, voice.ForSomeoneElse) switch
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

    /// <summary>What a patient under 13 is told wherever they would choose: the API refuses them, and this is why.</summary>
    public const string UnderThirteen = "You cannot see or make these choices yourself yet. Until you are 13, a person with parental responsibility makes them for you.";

    /// <summary>What a proxy the API refuses is told, after the API's own reason.</summary>
    public const string AuthorityMayHaveEnded = "Your authority may have ended: for example it was revoked, it reached its end date, or the child turned 13 and now chooses for themselves.";

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

    /// <summary>As NHS numbers are written for people: 943 476 5919.</summary>
    public static string NhsNumber(string tenDigits) => tenDigits.Length == 10 ? $"{tenDigits[..3]} {tenDigits[3..6]} {tenDigits[6..]}" : tenDigits;

    public static string ProxyRole(string role) => role switch
    {
        "guardian" => "A parent or guardian",
        "power-of-attorney" => "Someone with lasting power of attorney",
        "court-deputy" => "A deputy appointed by a court",
        _ => "Someone authorised to act for the patient",
    };

    /// <summary>The capacity a proxy acts in, said to the proxy.</summary>
    public static string YourCapacity(string role) => role switch
    {
        "guardian" => "as their parent or guardian",
        "power-of-attorney" => "with lasting power of attorney",
        "court-deputy" => "as their court-appointed deputy",
        _ => "as someone authorised to act for them",
    };

    /// <summary>Who used a record, in the reader's words, from the role the audit trail names.</summary>
    public static string Who(AccessLogEntry e, Voice voice) => e.ByYou ? "You" : e.ActorRole switch
    {
        "pipeline" => $"An organisation preparing health data for research or planning ({e.Actor})",
        "dpo" => "A data protection officer at OptOut",
        "admin" => "NHS staff recording a choice",
        "practice" => $"{voice.YourAtStart} GP practice",
        "proxy" => $"Someone authorised to act for {voice.You}",
        "patient" => "You",
        "system" => "This service",
        _ => "Someone without permission (they were refused)",
    };

    /// <summary>What the user of the record was told, in words.</summary>
    public static string Told(AccessLogEntry e, Voice voice) => (e.Outcome, e.Answer) switch
    {
        ( >= 400, _) => "They were refused and told nothing",
        (_, "deny") => $"Told not to use {voice.Your} data",
        (_, "permit") => $"Told they may use {voice.Your} data",
        (_, "opted-out") => $"Told {voice.YouHave} opted out",
        (_, "not-opted-out") => $"Told {voice.YouHave} not opted out",
        _ => e.Kind == "change" ? $"A change to {voice.Your} choices" : $"Shown {voice.Your} choices",
    };

    /// <summary>A recorded decision, in words: a consent names what it was for (the entry's details carry the purpose).</summary>
    public static string Decision(HistoryEntry entry, Voice voice)
    {
        var what = entry.Details?["purpose"] is System.Text.Json.Nodes.JsonValue p && p.TryGetValue<string>(out var purpose) && Purpose(purpose, voice) is var words
            ? char.ToLowerInvariant(words[0]) + words[1..]
            : "a choice";
        return entry.Event.EventType switch
        {
            "consent-granted" => $"Gave consent for {what}",
            "consent-refused" => $"Refused consent for {what}",
            "consent-withdrawn" => $"Withdrew the answer about {what}",
            "consent-expired" => $"The consent for {what} ended",
            var other => Decision(other, voice),
        };
    }

    private static string Decision(string eventType, Voice voice) => eventType switch
    {
        "national-data-opt-out-set" => "Opted out of research and planning",
        "national-data-opt-out-withdrawn" => "Allowed research and planning",
        "type1-opt-out-recorded" => "GP practice recorded a Type 1 opt-out",
        "type1-opt-out-withdrawn" => "GP practice removed a Type 1 opt-out",
        "proxy-authorised" => $"Someone was authorised to act for {voice.You}",
        "proxy-authority-revoked" => $"Someone's authority to act for {voice.You} ended",
        "nhs-number-superseded" or "superseded-record-merged" => $"{voice.YourAtStart} records were joined under one NHS number",
        _ => eventType.Replace('-', ' '),
    };

    /// <summary>A role the audit trail names, in plain English for the staff who read it.</summary>
    public static string Role(string role) => role switch
    {
        "patient" => "Patient",
        "proxy" => "Someone acting for a patient",
        "pipeline" => "Extract pipeline",
        "practice" => "GP practice",
        "admin" => "Contact-centre staff",
        "dpo" => "Data protection officer",
        "system" => "This service",
        "" => "Not signed in",
        _ => role,
    };

    /// <summary>Who did something, for staff: the role in words, then the sign-in's own id, which the trail can be searched by.</summary>
    public static string Actor(string actor, string role) => role switch
    {
        "" => "Not signed in",
        "system" => "This service",
        _ => $"{Role(role)} ({actor})",
    };

    /// <summary>Who recorded a decision and in what capacity, for staff reading a patient's record.</summary>
    public static string RecordedBy(DecidedBy by) => by.Capacity switch
    {
        "proxy" => $"{ProxyRole(by.ProxyRole ?? "")} ({by.RecordedBy}), for the patient",
        "system" => "This service",
        _ when by.RecordedByRole == "patient" => $"The patient ({by.RecordedBy})",
        _ => $"{Role(by.RecordedByRole)} ({by.RecordedBy}), for the patient",
    };

    /// <summary>How the person deciding was identified (the API's decidedBy.identityCheck), for staff answering for a decision.</summary>
    public static string IdentityCheck(string? check) => check switch
    {
        null => "Not recorded",
        "sign-in-p9" => "NHS login, photo ID checked (P9)",
        "sign-in-p5" => "NHS login, basic checks (P5)",
        "sign-in-p0" => "NHS login, identity not checked (P0)",
        "contact-centre" => "Contact centre's identity checks",
        "gp-practice" => "GP practice's own checks",
        _ => check,
    };

    /// <summary>An audit entry's outcome in words, with the HTTP status it was given for those who search by it.</summary>
    public static string Outcome(int status) => status switch
    {
        < 400 => $"Done ({status})",
        401 => $"Refused: not signed in ({status})",
        403 => $"Refused: not allowed ({status})",
        404 => $"Not found ({status})",
        429 => $"Refused: too many requests ({status})",
        < 500 => $"Refused: the request was not valid ({status})",
        _ => $"Failed: a fault in the service ({status})",
    };

    /// <summary>Who made a recorded decision, said to the reader: to a proxy, the patient is "the patient", never "you".</summary>
    public static string By(DecidedBy by, Voice voice) => by.Capacity switch
    {
        "proxy" => $"{ProxyRole(by.ProxyRole ?? "")}, for {voice.You}",
        "system" => "This service",
        _ when by.RecordedByRole == "patient" => voice.ForSomeoneElse ? "The patient" : "You",
        _ => $"NHS staff, for {voice.You}",
    };
}

/// <summary>Dates as people write them: 26 November 2026, in UK time.</summary>
public static class Dates
{
    public static string Day(DateTimeOffset? at) => at is { } value ? Day(Contracts.UkCalendar.DayOf(value)) : "";

    /// <summary>A calendar day (a date of birth), which has no time zone to convert.</summary>
    public static string Day(DateOnly day) => day.ToString("d MMMM yyyy", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The NHS style for a moment: "5 December 2026 at 9:50pm", "at 9am" on the hour, in UK time.</summary>
    public static string DayAndTime(DateTimeOffset at) => DayAndTime(at, toTheSecond: false);

    /// <summary>
    /// Two moments as <see cref="DayAndTime(DateTimeOffset)"/>, or to the second ("at 9:50:07pm") when that would
    /// show them the same: a page that contrasts them must not read "up to 9:50pm" against "at 9:50pm".
    /// </summary>
    public static (string First, string Second) TwoMoments(DateTimeOffset first, DateTimeOffset second) =>
        DayAndTime(first) == DayAndTime(second)
            ? (DayAndTime(first, toTheSecond: true), DayAndTime(second, toTheSecond: true))
            : (DayAndTime(first), DayAndTime(second));

    private static string DayAndTime(DateTimeOffset at, bool toTheSecond)
    {
        var local = Contracts.UkCalendar.InUk(at);
        var format = toTheSecond ? "h:mm:ss" : local.Minute == 0 ? "%h" : "h:mm";
        var time = local.ToString(format, System.Globalization.CultureInfo.InvariantCulture) + (local.Hour < 12 ? "am" : "pm");
        return $"{Day(at)} at {time}";
    }
}
