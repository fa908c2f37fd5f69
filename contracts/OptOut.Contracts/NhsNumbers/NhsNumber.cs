using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json.Serialization;

namespace OptOut.NhsNumbers;

/// <summary>
/// A valid NHS number: ten ASCII digits whose last digit is the modulus 11 check digit of the first nine
/// (NHS Data Dictionary). The one codec for NHS numbers: the API, the bulk reader and writer, the CLI and
/// consumers of OptOut's messages all parse, check and write them here, and nowhere else.
/// </summary>
[JsonConverter(typeof(NhsNumberJsonConverter))]
public readonly record struct NhsNumber
{
    public const string Required = "An NHS number is required.";
    public const string NotAsciiDigits = "An NHS number contains only the ASCII digits 0-9.";
    public const string BadShape = "An NHS number is 10 digits, written together or in 3-3-4 groups separated by single spaces or hyphens.";
    public const string CheckDigitTen = "Not an NHS number: its first nine digits give a check digit of 10, which no NHS number has.";
    public const string CheckDigitMismatch = "The NHS number's check digit (its last digit) does not match its first nine digits.";

    private readonly string? _digits;

    private NhsNumber(string digits) => _digits = digits;

    /// <summary>The ten digits with no separators, as stored and as used for the stream key.</summary>
    public string Value => _digits ?? throw new InvalidOperationException("An NHS number was used before it was parsed.");

    /// <summary>The nine-digit base; the check digit follows from it.</summary>
    public int Base => int.Parse(Value.AsSpan(0, 9), CultureInfo.InvariantCulture);

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
        if (string.IsNullOrWhiteSpace(input))
        {
            error = Required;
            return false;
        }

        foreach (var c in input)
        {
            // char.IsDigit accepts Arabic-Indic, full-width and other digits; only '0'-'9' are NHS number digits.
            if (char.IsDigit(c) && !char.IsAsciiDigit(c))
            {
                error = NotAsciiDigits;
                return false;
            }
        }

        Span<char> compact = stackalloc char[10];
        if (!TryCompact(input, compact))
        {
            error = BadShape;
            return false;
        }

        var nineDigitBase = 0;
        for (var i = 0; i < 9; i++)
        {
            nineDigitBase = (nineDigitBase * 10) + (compact[i] - '0');
        }

        error = CheckFailure(nineDigitBase, compact[9] - '0');
        if (error is not null)
        {
            return false;
        }

        number = new NhsNumber(new string(compact));
        return true;
    }

    /// <summary>
    /// The fast path for lists of millions: exactly ten ASCII bytes, no allocation. False with a null
    /// <paramref name="error"/> when the bytes are not ten ASCII digits (the caller may try <see cref="TryParse"/>
    /// for other spellings); false with an error when they are digits that fail the check.
    /// </summary>
    public static bool TryParseAscii(ReadOnlySpan<byte> tenDigits, out int nineDigitBase, out string? error)
    {
        nineDigitBase = 0;
        error = null;
        if (tenDigits.Length != 10)
        {
            return false;
        }

        // The weighted sum is taken as the digits are read: a bulk check parses millions of numbers a second.
        var sum = 0;
        for (var i = 0; i < 9; i++)
        {
            var d = tenDigits[i] - (byte)'0';
            if ((uint)d > 9)
            {
                return false;
            }

            nineDigitBase = (nineDigitBase * 10) + d;
            sum += d * (10 - i);
        }

        var last = tenDigits[9] - (byte)'0';
        if ((uint)last > 9)
        {
            return false;
        }

        error = CheckOfSum(sum) switch
        {
            10 => CheckDigitTen,
            var check when check != last => CheckDigitMismatch,
            _ => null,
        };
        return error is null;
    }

    /// <summary>Builds the NHS number whose first nine digits are <paramref name="nineDigitBase"/>, if one exists.</summary>
    public static bool TryFromBase(int nineDigitBase, out NhsNumber number)
    {
        number = default;
        Span<byte> ascii = stackalloc byte[10];
        if (!TryWriteAscii(nineDigitBase, ascii))
        {
            return false;
        }

        number = new NhsNumber(string.Create(10, ascii.ToArray(), (chars, bytes) =>
        {
            for (var i = 0; i < 10; i++)
            {
                chars[i] = (char)bytes[i];
            }
        }));
        return true;
    }

    /// <summary>Writes the ten ASCII digits of the NHS number with this base; false if no NHS number has it.</summary>
    public static bool TryWriteAscii(int nineDigitBase, Span<byte> destination)
    {
        if (nineDigitBase is < 0 or > 999_999_999 || destination.Length < 10)
        {
            return false;
        }

        // Digits and weighted sum in one pass: a bulk check writes millions of numbers a second.
        var (rest, sum) = (nineDigitBase, 0);
        for (var i = 8; i >= 0; i--)
        {
            var (quotient, digit) = Math.DivRem(rest, 10);
            destination[i] = (byte)('0' + digit);
            sum += digit * (10 - i);
            rest = quotient;
        }

        var check = CheckOfSum(sum);
        destination[9] = (byte)('0' + check);
        return check != 10;
    }

    /// <summary>Modulus 11: weights 10..2 over the first nine digits; 11 becomes 0; 10 means no such number.</summary>
    public static int CheckDigitOf(int nineDigitBase)
    {
        var sum = 0;
        for (var weight = 2; weight <= 10; weight++)
        {
            sum += (nineDigitBase % 10) * weight;
            nineDigitBase /= 10;
        }

        return CheckOfSum(sum);
    }

    /// <summary>The check digit for a weighted sum of the first nine digits; 10 means no such number.</summary>
    private static int CheckOfSum(int sum)
    {
        var check = 11 - (sum % 11);
        return check == 11 ? 0 : check;
    }

    private static string? CheckFailure(int nineDigitBase, int lastDigit) => CheckDigitOf(nineDigitBase) switch
    {
        10 => CheckDigitTen,
        var check when check != lastDigit => CheckDigitMismatch,
        _ => null,
    };

    private static bool TryCompact(string input, Span<char> compact)
    {
        switch (input.Length)
        {
            case 10:
                input.AsSpan().CopyTo(compact);
                break;
            case 12 when input[3] is ' ' or '-' && input[7] == input[3]:
                input.AsSpan(0, 3).CopyTo(compact);
                input.AsSpan(4, 3).CopyTo(compact[3..]);
                input.AsSpan(8, 4).CopyTo(compact[6..]);
                break;
            default:
                return false;
        }

        foreach (var c in compact)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
