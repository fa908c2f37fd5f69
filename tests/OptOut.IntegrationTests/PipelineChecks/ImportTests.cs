using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.PipelineChecks;

[Collection(OptOutServiceGroup.Name)]
public class ImportTests(OptOutService service)
{
    [Fact]
    public async Task An_import_records_each_opt_out_as_an_event_reports_invalid_rows_and_can_be_run_again()
    {
        var numbers = Enumerable.Range(0, 25).Select(_ => TestPatients.NewNhsNumber()).ToList();
        var csv = new StringBuilder("nhsNumber,optedOutAt\n");
        foreach (var nhs in numbers)
        {
            csv.Append(nhs).Append(",2021-06-15T10:00:00Z\n");
        }

        csv.Append("9434765918,2021-06-15\n");            // wrong check digit
        csv.Append(numbers[0]).Append(",2021-06-16\n");    // twice in the file
        csv.Append(TestPatients.NewNhsNumber()).Append(",2017-01-01\n"); // before the opt-out existed
        csv.Append("just one field\n");
        csv.Append(TestPatients.NewNhsNumber()).Append(",07/12/2021\n");          // July to .NET, December to a UK reader
        csv.Append(TestPatients.NewNhsNumber()).Append(",2021-06-15T10:00:00\n"); // a time with no offset: an hour out in summer

        var first = await ImportAsync(csv.ToString());
        var again = await ImportAsync(csv.ToString());

        Assert.Equal((31L, 25L, 0L, 6L), (first.GetProperty("received").GetInt64(), first.GetProperty("imported").GetInt64(), first.GetProperty("alreadyPresent").GetInt64(), first.GetProperty("invalid").GetInt64()));
        Assert.Equal([27L, 28L, 29L, 30L, 31L, 32L], first.GetProperty("firstInvalid").EnumerateArray().Select(r => r.GetProperty("line").GetInt64()));
        Assert.Equal((0L, 25L), (again.GetProperty("imported").GetInt64(), again.GetProperty("alreadyPresent").GetInt64()));
        Assert.All(numbers, nhs => Assert.True(service.EventCountAsync(nhs).Result == 1));

        Assert.True(await service.OptedOutAsync(numbers[7]));
        var withdrawn = await service.As("admin").PutOptOutAsync(numbers[3], new { optedOut = false, channel = "call-centre", patientBirthDate = TestPatients.AdultBorn });
        Assert.Equal("\"2\"", withdrawn.Headers.ETag?.Tag);
        Assert.False(await service.OptedOutAsync(numbers[3]));
        var history = await service.As("dpo").GetFromJsonAsync<JsonElement>($"/v1/patients/{numbers[7]}/history");
        var entry = Assert.Single(history.GetProperty("decisions").EnumerateArray());
        Assert.Equal("migrated", entry.GetProperty("channel").GetString());
        Assert.Equal(new DateTimeOffset(2021, 6, 15, 10, 0, 0, TimeSpan.Zero), entry.GetProperty("event").GetProperty("effectiveAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task A_run_started_again_after_a_stop_imports_only_the_rows_the_first_run_did_not_reach()
    {
        var numbers = Enumerable.Range(0, 30).Select(_ => TestPatients.NewNhsNumber()).ToList();
        string Csv(IEnumerable<string> rows) => "nhsNumber,optedOutAt\n" + string.Concat(rows.Select(n => n + ",2022-03-01\n"));

        // The first run stopped after a third of the file; the whole file is then run again.
        await ImportAsync(Csv(numbers.Take(10)));
        var again = await ImportAsync(Csv(numbers));

        Assert.Equal((30L, 20L, 10L, 0L), (again.GetProperty("received").GetInt64(), again.GetProperty("imported").GetInt64(), again.GetProperty("alreadyPresent").GetInt64(), again.GetProperty("invalid").GetInt64()));
        Assert.All(numbers, nhs => Assert.True(service.EventCountAsync(nhs).Result == 1));
        Assert.True(await service.OptedOutAsync(numbers[0]));
        Assert.True(await service.OptedOutAsync(numbers[^1]));
    }

    [Fact]
    public async Task Columns_are_read_as_the_header_names_them_and_a_header_without_them_refuses_the_file()
    {
        var (first, second) = (TestPatients.NewNhsNumber(), TestPatients.NewNhsNumber());

        var reordered = await ImportAsync($"\"optedOutAt\",\"NHSNumber\"\n2021-06-15,{first}\n");
        var unnamed = await service.As("admin").PostAsync("/v1/admin/opt-out-imports", new StringContent($"patient,date\n{second},2021-06-15\n", Encoding.UTF8, "text/csv"));

        Assert.Equal((1L, 1L, 0L), (reordered.GetProperty("received").GetInt64(), reordered.GetProperty("imported").GetInt64(), reordered.GetProperty("invalid").GetInt64()));
        Assert.True(await service.OptedOutAsync(first));
        // A date alone is the start of that day in the UK, where it was signed: in June, 23:00 UTC the day before.
        var decision = Assert.Single((await service.As("dpo").GetFromJsonAsync<JsonElement>($"/v1/patients/{first}/history")).GetProperty("decisions").EnumerateArray());
        Assert.Equal(new DateTimeOffset(2021, 6, 14, 23, 0, 0, TimeSpan.Zero), decision.GetProperty("event").GetProperty("effectiveAt").GetDateTimeOffset());
        await NationalDataOptOut.BadInputTests.AssertProblemAsync(unnamed, HttpStatusCode.BadRequest, "The header names patient,date: it must name the columns nhsNumber and optedOutAt, once each.");
        Assert.Equal(0, await service.EventCountAsync(second));

        // A header holding a NUL is refused in the same words, without repeating it.
        var hostile = await service.As("admin").PostAsync("/v1/admin/opt-out-imports", new StringContent("patient\u0000,date\n", Encoding.UTF8, "text/csv"));
        await NationalDataOptOut.BadInputTests.AssertProblemAsync(hostile, HttpStatusCode.BadRequest, "The first line is a header that does not name the columns nhsNumber and optedOutAt, once each.");
    }

    [Fact]
    public async Task A_spreadsheets_file_is_read_as_a_bulk_check_reads_it_and_a_column_named_twice_refuses_it()
    {
        var (first, second) = (TestPatients.NewNhsNumber(), TestPatients.NewNhsNumber());
        var csv = $"name,nhsNumber,optedOutAt\r\n\"Smith, J\",{first},\"2021-06-15\"\r\n\"Jones, unclosed,{second},2021-06-15\r\n\"Scots, CHI\",0101991231,2021-06-15\r\n";
        var body = new ByteArrayContent([.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(csv)]);
        body.Headers.ContentType = new("text/csv");

        var report = await service.As("admin").PostAsync("/v1/admin/opt-out-imports", body).JsonAsync();

        Assert.Equal((3L, 1L, 2L), (report.GetProperty("received").GetInt64(), report.GetProperty("imported").GetInt64(), report.GetProperty("invalid").GetInt64()));
        Assert.StartsWith("The NHS number 010 199 1231 passes the check digit, but England, Wales and the Isle of Man do not issue", report.GetProperty("firstInvalid")[1].GetProperty("reason").GetString());
        Assert.True(await service.OptedOutAsync(first));
        Assert.Equal(0, await service.EventCountAsync(second));
        var twice = await service.As("admin").PostAsync("/v1/admin/opt-out-imports", new StringContent($"nhsNumber,optedOutAt,NHSNumber\n{second},2021-06-15,{first}\n", Encoding.UTF8, "text/csv"));
        await NationalDataOptOut.BadInputTests.AssertProblemAsync(twice, HttpStatusCode.BadRequest, "it must name the columns nhsNumber and optedOutAt, once each.");
        Assert.Equal(0, await service.EventCountAsync(second));
    }

    [Fact]
    public async Task Only_admins_import()
    {
        var response = await service.As("pipeline").PostAsync("/v1/admin/opt-out-imports", new StringContent("nhsNumber,optedOutAt\n", Encoding.UTF8, "text/csv"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    private async Task<JsonElement> ImportAsync(string csv) =>
        await service.As("admin").PostAsync("/v1/admin/opt-out-imports", new StringContent(csv, Encoding.UTF8, "text/csv")).JsonAsync();
}
