using System.Globalization;

namespace OptOut.Http;

/// <summary>The ETag of a patient record is its stream version, quoted: "3".</summary>
public static class ETags
{
    public static string For(long version) => $"\"{version.ToString(CultureInfo.InvariantCulture)}\"";

    /// <summary>
    /// Reads If-Match as the version the caller last saw. Absent means unconditional, and so does "*" (RFC 9110: true
    /// when the resource has a current representation, as every patient's record has, version 0 before any choice).
    /// </summary>
    public static bool TryParseIfMatch(string? header, out long? expectedVersion)
    {
        expectedVersion = null;
        var value = header?.Trim();
        if (string.IsNullOrEmpty(value) || value == "*")
        {
            return true;
        }

        if (value.Length >= 2 && value[0] == '"' && value[^1] == '"'
            && long.TryParse(value.AsSpan(1, value.Length - 2), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            expectedVersion = version;
            return true;
        }

        return false;
    }
}
