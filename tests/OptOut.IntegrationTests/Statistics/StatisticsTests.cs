using System.Net;
using System.Text.Json;
using OptOut.IntegrationTests.Infrastructure;
using OptOut.Records;

namespace OptOut.IntegrationTests.Statistics;

[Collection(OptOutServiceGroup.Name)]
public class StatisticsTests(OptOutService service)
{
    /// <summary>The figures, once the projection has taken in every event stored so far.</summary>
    internal static async Task<JsonElement> CurrentFiguresAsync(OptOutService service, string path = "/v1/statistics", string role = "dpo")
    {
        var latest = await service.LatestSequenceAsync();
        var client = role == "anonymous" ? service.WithToken(null) : service.As(role);
        for (var attempt = 0; ; attempt++)
        {
            var figures = await client.GetAsync(path).JsonAsync();
            if (figures.GetProperty("sequence").GetInt64() >= latest || attempt == 200)
            {
                return figures;
            }

            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task The_figures_match_a_count_made_from_the_events_and_the_records_themselves()
    {
        var proxied = TestPatients.NewNhsNumber();
        await service.As("admin").PutOptOutAsync(proxied, new
        {
            optedOut = true, channel = "paper", patientBirthDate = TestPatients.AdultBorn, onBehalfOf = new { role = "power-of-attorney", evidenceReference = "LPA-1" }, caseReference = "CASE-1",
        });
        var self = TestPatients.NewNhsNumber();
        await service.As("patient", self).PutOptOutAsync(self, new { optedOut = true, channel = "online" });
        await service.As("patient", self).PutOptOutAsync(self, new { optedOut = false, channel = "nhs-app" });
        await service.As("practice", odsCode: "A81001").SendJsonAsync(HttpMethod.Put, $"/v1/patients/{proxied}/type-1-opt-out",
            new { dissent = true, practiceOdsCode = "A81001", code = "827241000000103" });

        // Two opted-out records merged are one person; a consent moving from permit to deny counts once, as deny.
        var (old, survivor) = (TestPatients.NewNhsNumber(), TestPatients.NewNhsNumber());
        await service.As("patient", old).PutOptOutAsync(old, new { optedOut = true, channel = "online" });
        await service.As("patient", survivor).PutOptOutAsync(survivor, new { optedOut = true, channel = "online" });
        await service.As("admin").SendJsonAsync(HttpMethod.Post, $"/v1/patients/{old}/supersession", new { newNhsNumber = survivor }).JsonAsync();
        await service.As("patient", self).SendJsonAsync(HttpMethod.Put, $"/v1/patients/{self}/consents/wearable-data-sharing", new { decision = "permit", channel = "nhs-app" }).JsonAsync();
        await service.As("patient", self).SendJsonAsync(HttpMethod.Put, $"/v1/patients/{self}/consents/wearable-data-sharing", new { decision = "deny", channel = "nhs-app" }).JsonAsync();

        var figures = await CurrentFiguresAsync(service);
        var sequence = figures.GetProperty("sequence").GetInt64();
        var months = figures.GetProperty("months").EnumerateArray().ToDictionary(m => m.GetProperty("month").GetString()!);

        // Set and withdrawn in each month, counted from the stored events by SQL the service does not share.
        var flows = await service.QueryAsync(
            "select to_char(date_trunc('month', (data->>'recordedAt')::timestamptz at time zone 'Europe/London'), 'YYYY-MM'), type, data->>'channel', " +
            "(data->'decidedBy'->>'proxyRole') is not null, count(*) from optout.mt_events " +
            $"where type in ('national_data_opt_out_set', 'national_data_opt_out_withdrawn') and seq_id <= {sequence} group by 1, 2, 3, 4",
            r => (Month: r.GetString(0), Set: r.GetString(1).EndsWith("_set"), Channel: r.GetString(2), Proxy: r.GetBoolean(3), Count: r.GetInt64(4)));
        Assert.NotEmpty(flows);
        foreach (var month in flows.GroupBy(f => f.Month))
        {
            foreach (var (property, set) in new[] { ("nationalOptOutsSet", true), ("nationalOptOutsWithdrawn", false) })
            {
                var counted = month.Where(f => f.Set == set).ToList();
                var flow = months[month.Key].GetProperty(property);
                Assert.Equal(counted.Sum(f => f.Count), flow.GetProperty("total").GetInt64());
                Assert.Equal(counted.Where(f => f.Proxy).Sum(f => f.Count), flow.GetProperty("proxy").GetInt64());
                Assert.Equal(counted.Where(f => !f.Proxy).Sum(f => f.Count), flow.GetProperty("self").GetInt64());
                var byChannel = flow.GetProperty("byChannel").EnumerateObject().ToDictionary(c => c.Name, c => c.Value.GetInt64());
                Assert.Equal(counted.GroupBy(f => f.Channel).ToDictionary(g => g.Key, g => g.Sum(f => f.Count)), byChannel);
            }
        }

        // What is in force now, counted from the patients' records (merged numbers count once, on the surviving record).
        var thisMonth = figures.GetProperty("months").EnumerateArray().Last();
        var nationalNow = (await service.QueryAsync(
            "select count(*) from optout.mt_doc_patientpreferences where (data->'nationalDataOptOut'->>'optedOut')::boolean and data->>'supersededBy' is null",
            r => r.GetInt64(0))).Single();
        Assert.Equal(nationalNow, thisMonth.GetProperty("nationalOptOutsInForce").GetInt64());

        var type1ByPractice = await service.QueryAsync(
            "select data->'type1OptOut'->>'practiceOdsCode', count(*) from optout.mt_doc_patientpreferences " +
            "where (data->'type1OptOut'->>'dissent')::boolean and data->>'supersededBy' is null group by 1",
            r => (Practice: r.GetString(0), Count: r.GetInt64(1)));
        Assert.Equal(type1ByPractice.Sum(p => p.Count), thisMonth.GetProperty("type1OptOutsInForce").GetInt64());
        Assert.Equal(
            type1ByPractice.OrderBy(p => p.Practice, StringComparer.Ordinal).Select(p => $"{p.Practice}={p.Count}"),
            figures.GetProperty("type1ByPractice").EnumerateArray().Select(p => $"{p.GetProperty("practice").GetString()}={p.GetProperty("type1OptOutsInForce").GetInt64()}"));

        var consents = await service.QueryAsync(
            "select c.key || '/' || lower(c.value->>'status'), count(*) from optout.mt_doc_patientpreferences, jsonb_each(data->'consents') c " +
            "where data->>'supersededBy' is null group by 1",
            r => (Key: r.GetString(0), Count: r.GetInt64(1)));
        var reported = thisMonth.GetProperty("consents").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(s => (Key: $"{p.Name}/{s.Name}", Count: s.Value.GetInt64())));
        Assert.Contains(consents, c => c.Key == "wearable-data-sharing/deny");
        Assert.Equal(consents.OrderBy(c => c.Key, StringComparer.Ordinal), reported.OrderBy(c => c.Key, StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_rebuild_from_the_events_gives_the_same_figures()
    {
        var nhs = TestPatients.NewNhsNumber();
        await service.As("patient", nhs).PutOptOutAsync(nhs, new { optedOut = true, channel = "online" });
        // Compared at one sequence: a change still finishing from an earlier test, or the consent-expiry worker, can land
        // between reading the figures and rebuilding them, and then the two describe different stores. Try again then.
        JsonElement before = default, rebuilt = default;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            before = await CurrentFiguresAsync(service);
            rebuilt = await service.As("dpo").PostAsync("/v1/statistics/rebuild", null).JsonAsync();
            if (rebuilt.GetProperty("sequence").GetInt64() == before.GetProperty("sequence").GetInt64())
            {
                break;
            }
        }

        Assert.Equal(before.GetProperty("sequence").GetInt64(), rebuilt.GetProperty("sequence").GetInt64());
        var differences = before.GetProperty("months").EnumerateArray().Zip(rebuilt.GetProperty("months").EnumerateArray())
            .Where(m => m.First.GetRawText() != m.Second.GetRawText())
            .Select(m => $"kept current: {m.First.GetRawText()}\nrebuilt:      {m.Second.GetRawText()}");
        Assert.Equal(before.GetProperty("months").GetArrayLength(), rebuilt.GetProperty("months").GetArrayLength());
        Assert.True(!differences.Any(), string.Join("\n", differences));
        Assert.Equal(before.GetProperty("type1ByPractice").GetRawText(), rebuilt.GetProperty("type1ByPractice").GetRawText());
    }

    [Fact]
    public async Task The_public_figures_need_no_sign_in_and_publish_no_count_below_the_threshold()
    {
        // Fifteen opt-outs and three withdrawals: in a fresh store, the first is published and the second withheld.
        for (var i = 0; i < 15; i++)
        {
            var nhs = TestPatients.NewNhsNumber();
            await service.As("patient", nhs).PutOptOutAsync(nhs, new { optedOut = true, channel = "online" });
            if (i < 3)
            {
                await service.As("patient", nhs).PutOptOutAsync(nhs, new { optedOut = false, channel = "online" });
            }
        }

        var figures = await CurrentFiguresAsync(service, "/v1/statistics/national", "anonymous");
        var full = await CurrentFiguresAsync(service);

        var rule = figures.GetProperty("suppression");
        var threshold = rule.GetProperty("threshold").GetInt32();
        var roundTo = rule.GetProperty("roundTo").GetInt32();
        Assert.Equal((10, 5), (threshold, roundTo));
        Assert.Equal(full.GetProperty("sequence").GetInt64(), figures.GetProperty("sequence").GetInt64());
        var counts = full.GetProperty("months").EnumerateArray().SelectMany(m => new[]
        {
            m.GetProperty("nationalOptOutsInForce").GetInt64(),
            m.GetProperty("nationalOptOutsSet").GetProperty("total").GetInt64(),
            m.GetProperty("nationalOptOutsWithdrawn").GetProperty("total").GetInt64(),
        }).ToList();
        var cells = figures.GetProperty("months").EnumerateArray()
            .SelectMany(m => new[] { m.GetProperty("nationalOptOutsInForce"), m.GetProperty("nationalOptOutsSet"), m.GetProperty("nationalOptOutsWithdrawn") })
            .ToList();
        Assert.Equal(counts.Count, cells.Count);
        Assert.Contains(counts, c => c >= threshold);
        foreach (var (count, cell) in counts.Zip(cells))
        {
            if (count < threshold)
            {
                Assert.Equal(JsonValueKind.Null, cell.ValueKind);
                continue;
            }

            // Published: never below the threshold, a multiple of five, and the nearest one to the count.
            Assert.True(cell.GetInt64() >= threshold, $"{cell.GetInt64()} is below the threshold");
            Assert.Equal(0, cell.GetInt64() % roundTo);
            Assert.InRange(Math.Abs(cell.GetInt64() - count), 0, roundTo / 2);
        }
    }

    [Theory]
    [InlineData("patient")]
    [InlineData("pipeline")]
    [InlineData("admin")]
    public async Task Only_data_protection_officers_read_the_full_figures_or_rebuild_them(string role)
    {
        var nhs = TestPatients.NewNhsNumber();
        Assert.Equal(HttpStatusCode.Forbidden, (await service.As(role, nhs).GetAsync("/v1/statistics")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await service.As(role, nhs).PostAsync("/v1/statistics/rebuild", null)).StatusCode);
    }
}
