using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.CommandLine;

/// <summary>The optout tool fails closed: a mistyped, missing or bad option runs nothing and writes nothing to stdout.</summary>
[Collection(CommandLineGroup.Name)]
public class CommandLineTests(CommandLineService cli)
{
    private const int Usage = 2, Input = 3, Refused = 4, Unreachable = 5;

    [Fact]
    public async Task A_misspelled_option_is_refused_and_releases_nothing()
    {
        var (nhs, file) = await Type1PatientInAListAsync();

        var run = await cli.RunAsync("check", file, "--purpose", "research", "--data-sorce", "gp", "--url", cli.Service.Address.ToString());

        Assert.Equal(Usage, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Contains("--data-sorce", run.Stderr);
        Assert.DoesNotContain(nhs, run.Stdout);
    }

    [Theory]
    [InlineData("07/12/2026", "--as-of: '07/12/2026' is not an ISO 8601 date-time with its offset")]
    [InlineData("2026-06-01T00:00:00", "--as-of: '2026-06-01T00:00:00' has no offset: add Z for UTC, or +01:00 for British Summer Time.")]
    public async Task An_as_of_time_that_could_be_read_two_ways_is_refused_not_guessed(string asOf, string mentions)
    {
        var (nhs, file) = await Type1PatientInAListAsync();

        var run = await cli.RunAsync("check", file, "--purpose", "research", "--data-source", "gp", "--as-of", asOf, "--url", cli.Service.Address.ToString());

        Assert.Equal(Usage, run.ExitCode);
        Assert.DoesNotContain(nhs, run.Stdout);
        Assert.Contains(mentions, run.Stderr);
    }

    [Fact]
    public async Task The_data_source_has_no_default()
    {
        var (_, file) = await Type1PatientInAListAsync();

        var run = await cli.RunAsync("check", file, "--purpose", "research", "--url", cli.Service.Address.ToString());

        Assert.Equal(Usage, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Contains("--data-source", run.Stderr);
    }

    [Fact]
    public async Task A_check_of_GP_data_removes_a_patient_with_a_Type_1_opt_out_and_keeps_the_rest()
    {
        var (nhs, file) = await Type1PatientInAListAsync();
        var other = TestPatients.NewNhsNumber();
        await File.AppendAllTextAsync(file, "\n" + other + "\n");

        var run = await cli.RunAsync("check", file, "--purpose", "research", "--data-source", "gp", "--url", cli.Service.Address.ToString());

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal(other + "\n", run.Stdout);
        Assert.DoesNotContain(nhs, run.Stdout);
    }

    [Theory]
    [InlineData("empty")]
    [InlineData("binary")]
    [InlineData("garbage")]
    public async Task A_list_with_no_valid_NHS_number_is_an_error_not_an_empty_success(string kind)
    {
        var file = Path.Combine(Path.GetTempPath(), $"optout-cli-{Guid.NewGuid():N}.txt");
        await File.WriteAllBytesAsync(file, kind switch
        {
            "empty" => [],
            "binary" => [0x00, 0xff, 0x13, 0x37, 0x0a, 0x89, 0x50, 0x4e, 0x47],
            _ => "hello\nworld,\n1234567890\n"u8.ToArray(),
        });

        var run = await cli.RunAsync("check", file, "--purpose", "research", "--data-source", "hospital", "--url", cli.Service.Address.ToString());

        Assert.Equal(kind == "empty" ? Input : Refused, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.NotEqual("", run.Stderr);
    }

    [Fact]
    public async Task An_unreachable_service_gets_its_own_exit_code_and_no_stack_trace()
    {
        var file = CommandLineService.FileOf(".txt", TestPatients.NewNhsNumber());

        var run = await cli.RunAsync("check", file, "--purpose", "research", "--data-source", "gp", "--url", $"http://127.0.0.1:{TestServers.FreeTcpPort()}");

        Assert.Equal(Unreachable, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.DoesNotContain("   at ", run.Stderr);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("check", "--help")]
    [InlineData("token", "--help")]
    [InlineData("audit-verify", "--help")]
    public async Task Help_works_for_every_command(params string[] args)
    {
        var run = await cli.RunAsync(args);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Usage:", run.Stdout);
    }

    [Theory]
    [InlineData("token", "--role", "nurse")]
    [InlineData("token", "--role", "patient", "--nhs-number", "9434765918")]
    [InlineData("token", "--role", "patient")]
    [InlineData("token", "--role", "proxy")]
    [InlineData("token", "--role", "pipeline", "--minutes", "0")]
    [InlineData("token", "--role", "pipeline", "--colour", "blue")]
    [InlineData("check", "--purpose", "research", "--data-source", "gp")]
    [InlineData("audit-verify")]
    [InlineData("frobnicate")]
    [InlineData]
    public async Task Bad_usage_is_refused_with_a_usage_message_and_nothing_on_stdout(params string[] args)
    {
        var run = await cli.RunAsync(args);

        Assert.Equal(Usage, run.ExitCode);
        Assert.Equal("", run.Stdout);
        Assert.Contains("--help", run.Stderr);
    }

    [Fact]
    public async Task Development_tokens_carry_distinct_subjects()
    {
        var a = await cli.RunAsync("token", "--role", "patient", "--nhs-number", TestPatients.NewNhsNumber());
        var b = await cli.RunAsync("token", "--role", "patient", "--nhs-number", TestPatients.NewNhsNumber());
        var c = await cli.RunAsync("token", "--role", "pipeline");
        var d = await cli.RunAsync("token", "--role", "pipeline");

        var subjects = new[] { a, b, c, d }.Select(r => Subject(r.Stdout.Trim())).ToList();
        Assert.Equal(4, subjects.Distinct().Count());
    }

    [Fact]
    public async Task A_file_that_is_not_an_audit_export_is_an_input_error()
    {
        var run = await cli.RunAsync("audit-verify", CommandLineService.FileOf(".ndjson", "not json"));

        Assert.Equal(Input, run.ExitCode);
        Assert.DoesNotContain("   at ", run.Stderr);
    }

    private static string Subject(string jwt) =>
        new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(jwt).Subject;

    private async Task<(string NhsNumber, string File)> Type1PatientInAListAsync()
    {
        var nhs = TestPatients.NewNhsNumber();
        var practice = cli.Service.Client(cli.Settings.Token("practice", odsCode: "A81001"));
        var recorded = await practice.SendJsonAsync(HttpMethod.Put, $"/v1/patients/{nhs}/type-1-opt-out",
            new { dissent = true, practiceOdsCode = "A81001", code = "827241000000103" });
        Assert.True(recorded.IsSuccessStatusCode, await recorded.Content.ReadAsStringAsync());
        return (nhs, CommandLineService.FileOf(".txt", nhs));
    }
}
