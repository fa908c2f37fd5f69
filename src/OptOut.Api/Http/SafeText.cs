using System.Text;

namespace OptOut.Http;

/// <summary>
/// Text a person may be shown or PostgreSQL may store: no NUL (PostgreSQL cannot store one), no other C0 or C1 control
/// (a tab where the text allows it), no bidirectional control (they reorder what a reader sees), no lone surrogate.
/// </summary>
public static class SafeText
{
    /// <summary>What is wrong with the first unsafe character and where it is, or null if there is none.</summary>
    public static string? FirstUnsafe(string? text, bool allowTab)
    {
        for (var i = 0; text is not null && i < text.Length; i++)
        {
            if (IsPair(text, i))
            {
                i++;
            }
            else if (Describe(text[i], allowTab) is { } what)
            {
                return $"{what} (U+{(int)text[i]:X4}) at character {i + 1}";
            }
        }

        return null;
    }

    /// <summary>The text cut to <paramref name="limit"/> characters, each unsafe one replaced by U+FFFD.</summary>
    public static string? Clean(string? text, int limit)
    {
        if (text is null || (text.Length <= limit && FirstUnsafe(text, allowTab: false) is null))
        {
            return text;
        }

        var cleaned = new StringBuilder(Math.Min(text.Length, limit));
        for (var i = 0; i < Math.Min(text.Length, limit); i++)
        {
            if (IsPair(text, i) && i + 1 < limit)
            {
                cleaned.Append(text, i++, 2);
            }
            else
            {
                cleaned.Append(Describe(text[i], allowTab: false) is null ? text[i] : '\uFFFD');
            }
        }

        return cleaned.ToString();
    }

    private static bool IsPair(string text, int i) => char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);

    private static string? Describe(char c, bool allowTab) => c switch
    {
        '\t' when allowTab => null,
        '\0' => "a NUL",
        < ' ' or (>= '\u007F' and <= '\u009F') => "a control character",
        '\u061C' or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069') => "a bidirectional control",
        _ when char.IsSurrogate(c) => "a lone surrogate",
        _ => null,
    };
}
