using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OptOut.IntegrationTests.Infrastructure;
using OptOut.IntegrationTests.NationalDataOptOut;

namespace OptOut.IntegrationTests.PipelineChecks;

[Collection(OptOutServiceGroup.Name)]
public class BulkCheckTests(OptOutService service)
{
    [Fact]
    public async Task A_list_comes_back_in_order_without_opted_out_or_invalid_numbers_as_an_independent_computation_says()
    {
        var population = await PopulationAsync();
        var lines = new List<string>();
        var expected = new List<string>();
        var i = 0;
        foreach (var (nhs, optedOut) in population.Everyone.OrderBy(_ => Random.Shared.Next()))
        {
            // Every accepted way of writing a number, mixed.
            lines.Add((i++ % 4) switch
            {
                0 => nhs,
                1 => $"{nhs[..3]} {nhs[3..6]} {nhs[6..]}",
                2 => nhs + ",",
                _ => $"{nhs[..3]}-{nhs[3..6]}-{nhs[6..]}\r",
            });
            if (!optedOut)
            {
                expected.Add(nhs);
            }

            if (i == 7)
            {
                lines.Add("9434765918");
                lines.Add("");
                lines.Add("not a number");
                lines.Add("٩٤٣٤٧٦٥٩١٩");
            }
        }

        var (kept, summary) = await CheckAsync(string.Join("\n", lines), "text/plain", "purpose=research&dataSource=hospital");

        Assert.Equal(expected, kept);
        Assert.Equal(population.Everyone.Count + 3, summary.GetProperty("received").GetInt64());
        Assert.Equal(expected.Count, summary.GetProperty("kept").GetInt64());
        Assert.Equal(population.OptedOut.Count, summary.GetProperty("removed").GetInt64());
        Assert.Equal(3, summary.GetProperty("invalid").GetInt64());
        var invalid = summary.GetProperty("firstInvalid").EnumerateArray().ToList();
        Assert.Equal([8L, 10L, 11L], invalid.Select(x => x.GetProperty("line").GetInt64()));
        Assert.Contains("check digit", invalid[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Contains("ASCII", invalid[2].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal("completed", summary.GetProperty("status").GetString());
        Assert.Equal(64, summary.GetProperty("submittedSha256").GetString()!.Length);
    }

    [Fact]
    public async Task A_list_far_longer_than_one_batch_streams_through_whole_and_in_order()
    {
        var population = await PopulationAsync();
        // Numbers from a range no test writes to: 120,000 random ones would otherwise meet other tests' opt-outs now and then.
        var numbers = Enumerable.Range(0, 120_000).Select(i => i % 1000 == 0 ? population.OptedOut[i / 1000 % population.OptedOut.Count] : TestPatients.UntouchedNhsNumber()).ToList();

        var (kept, summary) = await CheckAsync(string.Join("\n", numbers), "text/plain", "purpose=research&dataSource=hospital");

        var optedOut = population.OptedOut.ToHashSet();
        Assert.Equal(numbers.Where(n => !optedOut.Contains(n)), kept);
        Assert.Equal(120_000, summary.GetProperty("received").GetInt64());
    }

    [Fact]
    public async Task A_MESH_dat_file_with_CRLF_and_trailing_commas_is_read()
    {
        var population = await PopulationAsync();
        var body = string.Concat(population.Everyone.Select(p => p.NhsNumber + ",\r\n"));

        var (kept, _) = await CheckAsync(body, "application/octet-stream", "purpose=planning&dataSource=hospital");

        Assert.Equal(population.Everyone.Where(p => !p.OptedOut).Select(p => p.NhsNumber), kept);
    }

    [Fact]
    public async Task A_CSV_list_is_read_from_the_column_its_header_names()
    {
        var population = await PopulationAsync();
        var body = "extractRow,NHS Number,postcode\n" + string.Join("\n", population.Everyone.Select((p, n) => $"{n},\"{p.NhsNumber}\",LS1 4AP"));

        var (kept, _) = await CheckAsync(body, "text/csv", "purpose=research&dataSource=hospital");

        Assert.Equal(population.Everyone.Where(p => !p.OptedOut).Select(p => p.NhsNumber), kept);
    }

    [Fact]
    public async Task A_spreadsheets_CSV_with_a_byte_order_mark_and_names_holding_commas_is_read_whole()
    {
        var population = await PopulationAsync();
        var rows = population.Everyone.Select((p, n) => $"\"Patient {n}, Given\",{p.NhsNumber},\"LS1 4AP\"");
        var csv = "name,NHS Number,postcode\r\n" + string.Join("\r\n", rows) + "\r\n\"No number, yet\",,LS2\r\n\r\n";
        var body = new ByteArrayContent([.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(csv)]);
        body.Headers.ContentType = new("text/csv");

        var response = await service.As("pipeline").PostAsync($"/v1/opt-out-checks?purpose=research&dataSource=hospital&minSequence={await service.LatestSequenceAsync()}", body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var kept = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(population.Everyone.Where(p => !p.OptedOut).Select(p => p.NhsNumber), kept);
        var summary = await service.As("pipeline").GetFromJsonAsync<JsonElement>(response.Headers.Location!.ToString());
        Assert.Equal((population.Everyone.Count + 1L, 1L), (summary.GetProperty("received").GetInt64(), summary.GetProperty("invalid").GetInt64()));
        Assert.Equal("The row's nhsNumber column is empty.", summary.GetProperty("firstInvalid")[0].GetProperty("reason").GetString());
        Assert.Equal(Convert.ToHexString(SHA256.HashData(await body.ReadAsByteArrayAsync())), summary.GetProperty("submittedSha256").GetString());
    }

    [Fact]
    public async Task A_CSV_naming_two_NHS_number_columns_is_refused_rather_than_guessed()
    {
        var response = await service.As("pipeline").PostAsync("/v1/opt-out-checks?purpose=research&dataSource=gp",
            new StringContent("nhsNumber,NHS Number\n9434765919,4010232137\n", Encoding.UTF8, "text/csv"));

        await BadInputTests.AssertProblemAsync(response, HttpStatusCode.BadRequest, "names an nhsNumber column twice (columns 1 and 2)");
    }

    [Fact]
    public async Task GP_data_also_loses_Type_1_dissenters_and_an_exempt_legal_basis_keeps_everyone_valid()
    {
        var population = await PopulationAsync();
        var body = string.Join("\n", population.Everyone.Select(p => p.NhsNumber));

        var (gp, _) = await CheckAsync(body, "text/plain", "purpose=research&dataSource=gp");
        var (exempt, _) = await CheckAsync(body, "text/plain", "purpose=research&dataSource=gp&legalBasis=legal-requirement");
        var (care, _) = await CheckAsync(body, "text/plain", "purpose=direct-care&dataSource=gp");

        Assert.Equal(population.Everyone.Where(p => !p.OptedOut && !population.Type1.Contains(p.NhsNumber)).Select(p => p.NhsNumber), gp);
        Assert.Equal(population.Everyone.Select(p => p.NhsNumber), exempt);
        Assert.Equal(population.Everyone.Select(p => p.NhsNumber), care);
    }

    [Fact]
    public async Task An_asOf_check_answers_from_history_before_the_withdrawals()
    {
        var population = await PopulationAsync();
        var body = string.Join("\n", population.Everyone.Select(p => p.NhsNumber));

        var (then, summary) = await CheckAsync(body, "text/plain", $"purpose=research&dataSource=hospital&asOf={Uri.EscapeDataString(population.BeforeWithdrawals.ToString("O"))}");

        var optedOutThen = population.OptedOut.Concat(population.Withdrawn).ToHashSet();
        Assert.Equal(population.Everyone.Select(p => p.NhsNumber).Where(n => !optedOutThen.Contains(n)), then);
        Assert.Equal(population.BeforeWithdrawals, summary.GetProperty("asOf").GetDateTimeOffset());
    }

    [Theory]
    [InlineData("purpose=research", "text/plain", HttpStatusCode.BadRequest, "dataSource is required")]
    [InlineData("purpose=horoscopes&dataSource=gp", "text/plain", HttpStatusCode.BadRequest, "purpose")]
    [InlineData("purpose=wearable-data-sharing&dataSource=other", "text/plain", HttpStatusCode.BadRequest, "explicit consent")]
    [InlineData("purpose=research&dataSource=gp&asOf=2999-01-01T00:00:00Z", "text/plain", HttpStatusCode.BadRequest, "asOf cannot be in the future")]
    [InlineData("purpose=research&dataSource=gp&asOf=07/12/2026", "text/plain", HttpStatusCode.BadRequest, "asOf is not an ISO 8601 date-time with its offset")]
    // Refused by routing before the endpoint runs; the problem still names what it reads.
    [InlineData("purpose=research&dataSource=gp", "application/json", HttpStatusCode.UnsupportedMediaType, "does not read Content-Type application/json; charset=utf-8: send text/plain, text/csv or application/octet-stream")]
    public async Task A_bad_check_request_gets_a_problem(string query, string contentType, HttpStatusCode status, string mentions)
    {
        var response = await service.As("pipeline").PostAsync($"/v1/opt-out-checks?{query}", new StringContent("9434765919\n", Encoding.UTF8, contentType));

        await BadInputTests.AssertProblemAsync(response, status, mentions);
    }

    [Fact]
    public async Task A_CSV_without_an_NHS_number_column_gets_400()
    {
        var response = await service.As("pipeline").PostAsync("/v1/opt-out-checks?purpose=research&dataSource=gp",
            new StringContent("id,postcode\n1,LS1\n", Encoding.UTF8, "text/csv"));

        await BadInputTests.AssertProblemAsync(response, HttpStatusCode.BadRequest, "nhsNumber column");
    }

    [Fact]
    public async Task A_list_over_the_size_limit_gets_413()
    {
        var body = new ByteArrayContent(new byte[5_000_100]);
        body.Headers.ContentType = new("text/plain");

        var response = await service.As("pipeline").PostAsync("/v1/opt-out-checks?purpose=research&dataSource=gp", body);

        await BadInputTests.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "at most");
    }

    [Fact]
    public async Task A_pipeline_sees_only_its_own_check_summaries()
    {
        var response = await service.As("pipeline", subject: "pipeline-a").PostAsync("/v1/opt-out-checks?purpose=research&dataSource=gp",
            new StringContent("9434765919\n", Encoding.UTF8, "text/plain"));
        var location = response.Headers.Location!.ToString();

        Assert.Equal(HttpStatusCode.OK, (await service.As("pipeline", subject: "pipeline-a").GetAsync(location)).StatusCode);
        await BadInputTests.AssertProblemAsync(await service.As("pipeline", subject: "pipeline-b").GetAsync(location), HttpStatusCode.NotFound, "No bulk check with this id was made by you.");
        Assert.Equal(HttpStatusCode.OK, (await service.As("dpo").GetAsync(location)).StatusCode);
        await BadInputTests.AssertProblemAsync(await service.As("dpo").GetAsync($"/v1/opt-out-checks/{Guid.NewGuid()}"), HttpStatusCode.NotFound, "No bulk check has this id.");
    }

    [Fact]
    public async Task A_patient_who_refused_consent_for_the_purpose_is_left_out_as_the_single_decision_says()
    {
        var (refuser, bystander, oldNumber) = (TestPatients.NewNhsNumber(), TestPatients.NewNhsNumber(), TestPatients.NewNhsNumber());
        var beforeRefusal = DateTimeOffset.UtcNow;
        await Task.Delay(20);
        var patient = service.As("patient", refuser);
        await patient.SendJsonAsync(HttpMethod.Put, $"/v1/patients/{refuser}/consents/research", new { decision = "deny" }).JsonAsync();
        // A list may still carry a number since merged into the refuser's record: it answers as that record.
        await service.As("admin").SendJsonAsync(HttpMethod.Post, $"/v1/patients/{oldNumber}/supersession", new { newNhsNumber = refuser }).JsonAsync();
        var body = $"{refuser}\n{bystander}\n{oldNumber}\n";

        var (research, summary) = await CheckAsync(body, "text/plain", "purpose=research&dataSource=hospital");
        var (planning, _) = await CheckAsync(body, "text/plain", "purpose=planning&dataSource=hospital");
        // An asOf check weighs the refusal as it stood then, for a merged-away number too.
        var (then, _) = await CheckAsync(body, "text/plain", $"purpose=research&dataSource=hospital&asOf={Uri.EscapeDataString(beforeRefusal.ToString("O"))}");
        var (now, _) = await CheckAsync(body, "text/plain", $"purpose=research&dataSource=hospital&asOf={Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("O"))}");
        var single = await service.As("pipeline").GetFromJsonAsync<JsonElement>($"/v1/decisions/{refuser}?purpose=research&dataSource=hospital");

        Assert.Equal([bystander], research);
        Assert.Equal("deny", single.GetProperty("decision").GetString());
        Assert.Equal(2, summary.GetProperty("removed").GetInt64());
        Assert.Contains(summary.GetProperty("ruleSet").EnumerateArray(), r => r.GetString()!.StartsWith("consent-refused:", StringComparison.Ordinal));
        Assert.Equal([refuser, bystander, oldNumber], planning);
        Assert.Equal([refuser, bystander, oldNumber], then);
        Assert.Equal([bystander], now);

        // Withdrawn, the refusal no longer stands, in bulk as in the single answer.
        await patient.SendJsonAsync(HttpMethod.Delete, $"/v1/patients/{refuser}/consents/research").JsonAsync();
        var (withdrawn, _) = await CheckAsync(body, "text/plain", "purpose=research&dataSource=hospital");
        Assert.Equal([refuser, bystander, oldNumber], withdrawn);
    }

    [Fact]
    public async Task An_asOf_check_answers_a_number_merged_into_an_opted_out_record_as_that_record()
    {
        var (optedOut, oldNumber) = (TestPatients.NewNhsNumber(), TestPatients.NewNhsNumber());
        await service.As("admin").PutOptOutAsync(optedOut, new { optedOut = true, channel = "call-centre", patientBirthDate = TestPatients.AdultBorn }).JsonAsync();
        await service.As("admin").SendJsonAsync(HttpMethod.Post, $"/v1/patients/{oldNumber}/supersession", new { newNhsNumber = optedOut }).JsonAsync();

        var (current, _) = await CheckAsync($"{oldNumber}\n", "text/plain", "purpose=research&dataSource=hospital");
        var (asOfNow, _) = await CheckAsync($"{oldNumber}\n", "text/plain", $"purpose=research&dataSource=hospital&asOf={Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("O"))}");
        var single = await service.As("pipeline").GetFromJsonAsync<JsonElement>($"/v1/decisions/{oldNumber}?purpose=research&dataSource=hospital");

        Assert.Equal("deny", single.GetProperty("decision").GetString());
        Assert.Empty(current);
        Assert.Empty(asOfNow);
    }

    private async Task<(List<string> Kept, JsonElement Summary)> CheckAsync(string body, string contentType, string query)
    {
        var response = await service.As("pipeline").PostAsync($"/v1/opt-out-checks?{query}&minSequence={await service.LatestSequenceAsync()}",
            new StringContent(body, Encoding.UTF8, contentType));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var summary = await service.As("pipeline").GetFromJsonAsync<JsonElement>(response.Headers.Location!.ToString());
        return (text.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList(), summary);
    }

    private sealed record Population(
        List<(string NhsNumber, bool OptedOut)> Everyone, List<string> OptedOut, List<string> Withdrawn, List<string> Type1, DateTimeOffset BeforeWithdrawals);

    /// <summary>Opted out, opted out then withdrawn, Type 1 dissenters and people who never chose, written through the API.</summary>
    private async Task<Population> PopulationAsync()
    {
        var admin = service.As("admin");
        var practice = service.As("practice", odsCode: "A81001");
        var optedOut = Enumerable.Range(0, 8).Select(_ => TestPatients.NewNhsNumber()).ToList();
        var withdrawn = Enumerable.Range(0, 5).Select(_ => TestPatients.NewNhsNumber()).ToList();
        var type1 = Enumerable.Range(0, 3).Select(_ => TestPatients.NewNhsNumber()).ToList();
        var never = Enumerable.Range(0, 10).Select(_ => TestPatients.NewNhsNumber()).ToList();
        foreach (var nhs in optedOut.Concat(withdrawn))
        {
            await admin.PutOptOutAsync(nhs, new { optedOut = true, channel = "call-centre", patientBirthDate = TestPatients.AdultBorn }).JsonAsync();
        }

        foreach (var nhs in type1)
        {
            await practice.SendJsonAsync(HttpMethod.Put, $"/v1/patients/{nhs}/type-1-opt-out", new { dissent = true, practiceOdsCode = "A81001", code = "9Nu0" }).JsonAsync();
        }

        // After every opt-out above was recorded, and before any withdrawal below is.
        var beforeWithdrawals = await Clock.PastAsync(DateTimeOffset.UtcNow);
        await Clock.PastAsync(beforeWithdrawals);
        foreach (var nhs in withdrawn)
        {
            await admin.PutOptOutAsync(nhs, new { optedOut = false, channel = "call-centre", patientBirthDate = TestPatients.AdultBorn }).JsonAsync();
        }

        var everyone = optedOut.Select(n => (n, true)).Concat(withdrawn.Concat(type1).Concat(never).Select(n => (n, false))).ToList();
        return new Population(everyone, optedOut, withdrawn, type1, beforeWithdrawals);
    }
}
