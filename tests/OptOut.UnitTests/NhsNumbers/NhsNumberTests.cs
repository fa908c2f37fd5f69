using OptOut.NhsNumbers;

namespace OptOut.UnitTests.NhsNumbers;

public class NhsNumberTests
{
    [Theory]
    [InlineData("9434765919", "9434765919")]
    [InlineData("943 476 5919", "9434765919")]
    [InlineData("943-476-5919", "9434765919")]
    [InlineData("4010232137", "4010232137")]
    // 11 - (sum mod 11) = 11 becomes a check digit of 0.
    [InlineData("4000000020", "4000000020")]
    public void Accepts_valid_numbers_written_together_or_in_3_3_4_groups(string input, string digits)
    {
        Assert.True(NhsNumber.TryParse(input, out var number, out var error), error);
        Assert.Equal(digits, number.Value);
    }

    [Theory]
    [InlineData(null, "required")]
    [InlineData("", "required")]
    [InlineData("   ", "required")]
    [InlineData("943476591", "10 digits")]
    [InlineData("94347659190", "10 digits")]
    [InlineData("943476591X", "10 digits")]
    [InlineData("943 476-5919", "10 digits")]
    [InlineData("943  476 5919", "10 digits")]
    [InlineData("9434 76 5919", "10 digits")]
    [InlineData(" 9434765919", "10 digits")]
    [InlineData("+943476591", "10 digits")]
    [InlineData("9434765918", "check digit")]
    [InlineData("9434765910", "check digit")]
    // First nine digits whose check digit would be 10: no such NHS number exists.
    [InlineData("1000000010", "check digit of 10")]
    // Arabic-Indic, full-width and Devanagari digits that char.IsDigit accepts.
    [InlineData("٩٤٣٤٧٦٥٩١٩", "ASCII")]
    [InlineData("９４３４７６５９１９", "ASCII")]
    [InlineData("९४३४७६५९१९", "ASCII")]
    [InlineData("943476591٩", "ASCII")]
    public void Rejects_anything_else_and_says_which_rule_failed(string? input, string reason)
    {
        Assert.False(NhsNumber.TryParse(input, out _, out var error));
        Assert.Contains(reason, error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Every_nine_digit_base_gives_one_valid_number_or_none()
    {
        var valid = 0;
        for (var b = 943_476_000; b < 943_477_000; b++)
        {
            if (NhsNumber.TryFromBase(b, out var number))
            {
                valid++;
                Assert.True(NhsNumber.TryParse(number.Value, out _, out _));
                Assert.Equal(b, number.Base);
            }
        }

        // About one base in eleven gives a check digit of 10 and has no NHS number.
        Assert.InRange(valid, 880, 940);
    }

    /// <summary>
    /// The bulk check's ASCII path takes the check digit's sum as it goes and writes digits in pairs; it must agree with
    /// the plain definition (nine digits, then modulus 11 of their weighted sum) and with the general parser.
    /// </summary>
    [Fact]
    public void The_ascii_path_agrees_with_the_general_parser_digit_for_digit()
    {
        var random = new Random(11);
        var bases = Enumerable.Range(400_000_000, 20_000).Concat(Enumerable.Range(0, 20_000).Select(_ => random.Next(0, 1_000_000_000)))
            .Concat([0, 9, 99_999_999, 100_000_000, 999_999_999]);
        Span<byte> ascii = stackalloc byte[10];
        foreach (var b in bases)
        {
            var written = NhsNumber.TryWriteAscii(b, ascii);
            var checkDigit = NhsNumber.CheckDigitOf(b);
            Assert.Equal(checkDigit != 10, written);
            if (!written)
            {
                continue;
            }

            Assert.Equal(b.ToString("D9", System.Globalization.CultureInfo.InvariantCulture) + checkDigit, System.Text.Encoding.ASCII.GetString(ascii));
            Assert.True(NhsNumber.TryParseAscii(ascii, out var parsed, out _));
            Assert.Equal(b, parsed);

            // Any other last digit is refused, for the reason the general parser gives.
            ascii[9] = (byte)('0' + ((ascii[9] - '0' + 1) % 10));
            Assert.False(NhsNumber.TryParseAscii(ascii, out _, out var error));
            Assert.False(NhsNumber.TryParse(System.Text.Encoding.ASCII.GetString(ascii), out _, out var general));
            Assert.Equal(general, error);
        }
    }

    /// <summary>
    /// A run of plain lines is parsed sixteen bytes at a time; it must give exactly what parsing each line on its own gives,
    /// and stop before the first line the general path has to read (to parse it, or to say what is wrong with it).
    /// </summary>
    [Fact]
    public void A_run_of_plain_lines_parses_as_each_line_would_and_stops_before_any_other()
    {
        var random = new Random(5);
        var valid = new List<string>();
        while (valid.Count < 5_000)
        {
            if (NhsNumber.TryFromBase(random.Next(0, 1_000_000_000), out var number))
            {
                valid.Add(number.Value);
            }
        }

        var run = System.Text.Encoding.ASCII.GetBytes(string.Concat(valid.Select(v => v + "\n")));
        var bases = new int[valid.Count];
        Assert.Equal(valid.Count, NhsNumber.ParseDigitLines(run, bases));
        Assert.Equal(valid.Select(v => NhsNumber.Parse(v).Base), bases);

        // Where the run stops: a wrong check digit, a letter, a carriage return, nine digits, a last line with no newline.
        foreach (var (odd, at) in new[] { ("9434765918\n", 700), ("94347659l9\n", 3), ("9434765919\r\n", 4_998), ("943476591\n", 0), ("9434765919", 4_999) })
        {
            var input = System.Text.Encoding.ASCII.GetBytes(string.Concat(valid.Take(at).Select(v => v + "\n")) + odd + string.Concat(valid.Skip(at + 1).Select(v => v + "\n")));
            Assert.Equal(at, NhsNumber.ParseDigitLines(input, bases));
            Assert.Equal(valid.Take(at).Select(v => NhsNumber.Parse(v).Base), bases.Take(at));
        }

        // No further than the room given.
        Assert.Equal(10, NhsNumber.ParseDigitLines(run, bases.AsSpan(0, 10)));
    }

    [Fact]
    public void Masks_all_but_the_last_three_digits_for_logs()
    {
        Assert.Equal("*******919", NhsNumber.Parse("9434765919").Masked);
    }

    [Fact]
    public void Reads_and_writes_json_as_ten_digits_and_refuses_an_invalid_number()
    {
        var json = System.Text.Json.JsonSerializer.Serialize(NhsNumber.Parse("943 476 5919"));
        Assert.Equal("\"9434765919\"", json);
        Assert.Equal("9434765919", System.Text.Json.JsonSerializer.Deserialize<NhsNumber>(json).Value);
        Assert.Throws<System.Text.Json.JsonException>(() => System.Text.Json.JsonSerializer.Deserialize<NhsNumber>("\"9434765918\""));
    }
}
