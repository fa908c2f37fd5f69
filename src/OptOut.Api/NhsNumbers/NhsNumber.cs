using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;

namespace OptOut.NhsNumbers;

/// <summary>
/// A valid NHS number: ten ASCII digits whose last digit is the modulus 11 check digit of the first nine
/// (NHS Data Dictionary). The only way an NHS number enters the domain.
/// </summary>
[JsonConverter(typeof(NhsNumberJsonConverter))]
public readonly record struct NhsNumber
{
    private readonly string? _digits;

    private NhsNumber(string digits) => _digits = digits;

    /// <summary>The ten digits with no separators, as stored and as used for the stream key.</summary>
    public string Value => _digits ?? throw new InvalidOperationException("An NHS number was used before it was parsed.");

    /// <summary>The nine-digit base; the check digit follows from it.</summary>
    public int Base => int.Parse(Value.AsSpan(0, 9), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>For logs: NHS numbers are personal data, so only the last three digits are shown.</summary>
    public string Masked => "*******" + Value[7..];

    public override string ToString() => Value;

    public static NhsNumber Parse(string input) =>
        TryParse(input, out var number, out var error) ? number : throw new FormatException(error);

    /// <summary>
    /// Accepts 10 digits, or 3-3-4 groups separated by single spaces or single hyphens
    /// ("943 476 5919", "943-476-5919"). Says which rule failed otherwise.
    /// </summary>
    public static bool TryParse([NotNullWhen(true)] string? input, out NhsNumber number, [NotNullWhen(false)] out string? error)
    {
        number = default;
        error = Validate(input, out var digits);
        if (error is not null)
        {
            return false;
        }

        number = new NhsNumber(digits!);
        return true;
    }

    /// <summary>Builds the NHS number whose first nine digits are <paramref name="nineDigitBase"/>, if one exists.</summary>
    public static bool TryFromBase(int nineDigitBase, out NhsNumber number)
    {
        number = default;
        if (nineDigitBase is < 0 or > 999_999_999)
        {
            return false;
        }

        Span<char> digits = stackalloc char[10];
        nineDigitBase.TryFormat(digits, out _, "D9", System.Globalization.CultureInfo.InvariantCulture);
        var check = CheckDigit(digits[..9]);
        if (check == 10)
        {
            return false;
        }

        digits[9] = (char)('0' + check);
        number = new NhsNumber(new string(digits));
        return true;
    }

    private static string? Validate(string? input, out string? digits)
    {
        digits = null;
        if (string.IsNullOrWhiteSpace(input))
        {
            return "An NHS number is required.";
        }

        foreach (var c in input)
        {
            // char.IsDigit accepts Arabic-Indic, full-width and other digits; only '0'-'9' are NHS number digits.
            if (char.IsDigit(c) && !char.IsAsciiDigit(c))
            {
                return "An NHS number contains only the ASCII digits 0-9.";
            }
        }

        var compact = Compact(input);
        if (compact is null)
        {
            return "An NHS number is 10 digits, written together or in 3-3-4 groups separated by single spaces or hyphens.";
        }

        var check = CheckDigit(compact.AsSpan(0, 9));
        if (check == 10)
        {
            return "Not an NHS number: its first nine digits give a check digit of 10, which no NHS number has.";
        }

        if (compact[9] - '0' != check)
        {
            return "The NHS number's check digit (its last digit) does not match its first nine digits.";
        }

        digits = compact;
        return null;
    }

    private static string? Compact(string input)
    {
        if (input.Length == 10)
        {
            return IsAsciiDigits(input) ? input : null;
        }

        if (input.Length == 12)
        {
            var separator = input[3];
            if (separator is not (' ' or '-') || input[7] != separator)
            {
                return null;
            }

            var compact = string.Concat(input.AsSpan(0, 3), input.AsSpan(4, 3), input.AsSpan(8, 4));
            return IsAsciiDigits(compact) ? compact : null;
        }

        return null;
    }

    private static bool IsAsciiDigits(string s)
    {
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Modulus 11: weights 10..2 over the first nine digits; 11 becomes 0; 10 means no such number.</summary>
    internal static int CheckDigit(ReadOnlySpan<char> firstNine)
    {
        var sum = 0;
        for (var i = 0; i < 9; i++)
        {
            sum += (firstNine[i] - '0') * (10 - i);
        }

        var check = 11 - (sum % 11);
        return check == 11 ? 0 : check;
    }
}
