using System.Globalization;

namespace OptOut.Http;

/// <summary>
/// The one reader of instants given in a query (asOf, effectiveAt, from, to): ISO 8601, a missing offset read as UTC,
/// and the result in UTC, which PostgreSQL's timestamptz parameters require (Npgsql refuses any other offset).
/// </summary>
public static class Instants
{
    /// <summary>True with null for a value not given; false for one that is not an instant.</summary>
    public static bool TryParse(string? value, out DateTimeOffset? instant)
    {
        instant = null;
        if (value is null)
        {
            return true;
        }

        if (!DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            return false;
        }

        instant = parsed;
        return true;
    }
}
