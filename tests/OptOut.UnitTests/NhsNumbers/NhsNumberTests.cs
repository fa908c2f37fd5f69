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

    /// <summary>The bulk check's ASCII path takes the check digit's sum as it goes; it must agree with the general parser.</summary>
    [Fact]
    public void The_ascii_path_agrees_with_the_general_parser_digit_for_digit()
    {
        Span<byte> ascii = stackalloc byte[10];
        for (var b = 400_000_000; b < 400_020_000; b++)
        {
            var written = NhsNumber.TryWriteAscii(b, ascii);
            Assert.Equal(NhsNumber.TryFromBase(b, out var number), written);
            if (!written)
            {
                continue;
            }

            Assert.Equal(number.Value, System.Text.Encoding.ASCII.GetString(ascii));
            Assert.True(NhsNumber.TryParseAscii(ascii, out var parsed, out _));
            Assert.Equal(b, parsed);

            // Any other last digit is refused, for the reason the general parser gives.
            ascii[9] = (byte)('0' + ((ascii[9] - '0' + 1) % 10));
            Assert.False(NhsNumber.TryParseAscii(ascii, out _, out var error));
            Assert.False(NhsNumber.TryParse(System.Text.Encoding.ASCII.GetString(ascii), out _, out var general));
            Assert.Equal(general, error);
        }
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
