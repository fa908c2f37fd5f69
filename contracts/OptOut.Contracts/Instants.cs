using System.Globalization;
using System.Text.RegularExpressions;

namespace OptOut.Contracts;

/// <summary>
/// The one reader of an instant a client writes (a query's asOf, effectiveAt, from and to; the CLI's --as-of): ISO 8601
/// as RFC 3339 profiles it, a date, T, a time and its offset, and nothing else. .NET's own parser also takes
/// "07/12/2026", reading it as 12 July where a UK reader means 7 December, and a time with no offset, which is an
/// hour out for half the year in the UK; either would answer another question than the one asked, without a word.
/// </summary>
public static partial class Instants
{
    /// <summary>What an instant looks like, for a message that refuses one.</summary>
    public const string Shape = "an ISO 8601 date-time with its offset, for example 2025-06-01T00:00:00Z or 2025-06-01T00:00:00+01:00";

    /// <summary>The instant <paramref name="text"/> names, in UTC (PostgreSQL's timestamptz parameters need offset 0); or why it names none.</summary>
    public static bool TryParse(string text, out DateTimeOffset instant, out string why)
    {
        instant = default;
        var match = Rfc3339().Match(text);
        if (!match.Success)
        {
            why = $"is not {Shape}";
            if (Rfc3339().Match(text + "Z") is { Success: true })
            {
                why = "has no offset: add Z for UTC, or +01:00 for British Summer Time";
            }
            else if (text.Length > 19 && text[^6] == ' ' && Rfc3339().IsMatch(text[..^6] + "+" + text[^5..]))
            {
                why = "has a space where its offset's + should be: in a query string, send + as %2B";
            }

            return false;
        }

        // The pattern has the shape; the calendar decides whether 2026-02-30 or 25:00 is a time at all.
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out instant))
        {
            why = $"is not a date and time there could be ({Shape})";
            return false;
        }

        why = "";
        return true;
    }

    [GeneratedRegex(@"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,7})?)?(Z|[+-][0-9]{2}:[0-9]{2})$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Rfc3339();
}
