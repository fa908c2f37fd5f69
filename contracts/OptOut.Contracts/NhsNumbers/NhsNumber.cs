using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
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

    /// <summary>
    /// Parses a run of lines that are exactly ten ASCII digits and a newline ("9434765919\n"), the shape of nearly every
    /// line of a bulk check, into their bases. Stops before the first line of another shape or with a wrong check digit
    /// (the caller reads that one the general way, which says what is wrong with it), or when <paramref name="bases"/> is
    /// full. Returns how many lines it parsed: each took 11 bytes.
    /// </summary>
    public static int ParseDigitLines(ReadOnlySpan<byte> input, Span<int> bases)
    {
        var lines = Math.Min(input.Length / 11, bases.Length);
        var parsed = Ssse3.IsSupported ? ParseDigitLinesVectorised(input, bases[..lines]) : 0;
        while (parsed < lines && input[(parsed * 11) + 10] == (byte)'\n' && TryParseAscii(input.Slice(parsed * 11, 10), out var nineDigitBase, out _))
        {
            bases[parsed++] = nineDigitBase;
        }

        return parsed;
    }

    // Lanes 0-9 of a line's 16 bytes are its digits, lane 10 its newline; the rest belong to the next line and are ignored.
    private static readonly Vector128<byte> DigitLanes = Vector128.Create(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0);
    private static readonly Vector128<byte> NewlineLane = Vector128.Create(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0, 0, 0, 0, 0);
    private static readonly Vector128<sbyte> CheckWeights = Vector128.Create(10, 9, 8, 7, 6, 5, 4, 3, 2, 0, 0, 0, 0, 0, 0, (sbyte)0);
    private static readonly Vector128<sbyte> TensAndUnits = Vector128.Create(10, 1, 10, 1, 10, 1, 10, 1, 0, 0, 0, 0, 0, 0, 0, (sbyte)0);
    private static readonly Vector128<short> HundredsAndUnits = Vector128.Create(100, 1, 100, 1, 0, 0, 0, (short)0);
    private static readonly Vector128<short> Units = Vector128.Create((short)1);

    /// <summary>
    /// One line per 16-byte load: the digit test, the base and the check digit's weighted sum each take a few vector
    /// instructions instead of a loop over the digits. Stops where a load would pass the end of the input.
    /// </summary>
    private static int ParseDigitLinesVectorised(ReadOnlySpan<byte> input, Span<int> bases)
    {
        ref var start = ref MemoryMarshal.GetReference(input);
        var parsed = 0;
        while (parsed < bases.Length && (parsed * 11) + 16 <= input.Length)
        {
            var ascii = Vector128.LoadUnsafe(ref start, (nuint)(parsed * 11));
            var digits = ascii - Vector128.Create((byte)'0');
            var shape = (Vector128.LessThan(digits, Vector128.Create((byte)10)) & DigitLanes) | (Vector128.Equals(ascii, Vector128.Create((byte)'\n')) & NewlineLane);
            if ((shape.ExtractMostSignificantBits() & 0x7FF) != 0x7FF)
            {
                break;
            }

            // Digit pairs as 16-bit lanes, then runs of four digits as 32-bit lanes: d0d1d2d3 and d4d5d6d7.
            var fours = Sse2.MultiplyAddAdjacent(Ssse3.MultiplyAddAdjacent(digits, TensAndUnits), HundredsAndUnits);
            // The check digit's sum: 10*d0 + 9*d1 + ... + 2*d8, in three 32-bit lanes.
            var weighted = Sse2.MultiplyAddAdjacent(Ssse3.MultiplyAddAdjacent(digits, CheckWeights), Units);
            var check = CheckOfSum(weighted.GetElement(0) + weighted.GetElement(1) + weighted.GetElement(2));
            if (check != digits.GetElement(9))
            {
                break;
            }

            bases[parsed++] = (fours.GetElement(0) * 100_000) + (fours.GetElement(1) * 10) + digits.GetElement(8);
        }

        return parsed;
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

        // A bulk check writes millions of numbers a second: the base is split into a digit and four pairs of digits (three
        // rounds of division instead of nine), each pair written from a table along with its share of the weighted sum.
        var first = nineDigitBase / 100_000_000;
        var rest = nineDigitBase - (first * 100_000_000);
        var high = rest / 10_000;
        var low = rest - (high * 10_000);
        destination[0] = (byte)('0' + first);
        var sum = (first * 10) + WritePair(high / 100, 9, destination[1..]) + WritePair(high % 100, 7, destination[3..])
                  + WritePair(low / 100, 5, destination[5..]) + WritePair(low % 100, 3, destination[7..]);
        var check = CheckOfSum(sum);
        destination[9] = (byte)('0' + check);
        return check != 10;
    }

    /// <summary>Writes the two digits of <paramref name="pair"/> (0-99); returns their share of the check digit's sum.</summary>
    private static int WritePair(int pair, int tensWeight, Span<byte> destination)
    {
        var tens = PairTens[pair];
        var units = pair - (tens * 10);
        destination[0] = (byte)('0' + tens);
        destination[1] = (byte)('0' + units);
        return (tens * tensWeight) + (units * (tensWeight - 1));
    }

    // The tens digit of 0-99: a table read, where a division would cost several times as much.
    private static ReadOnlySpan<byte> PairTens =>
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
        4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
        8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
    ];

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
