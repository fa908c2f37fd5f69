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
    public async Task A_rebuild_from_the_events_gives_the_same_figures_and_shows_the_earlier_ones_until_it_has()
    {
        var nhs = TestPatients.NewNhsNumber();
        await service.As("patient", nhs).PutOptOutAsync(nhs, new { optedOut = true, channel = "online" });
        // Compared at one sequence: a change still finishing from an earlier test, or the consent-expiry worker, can land
        // between reading the figures and rebuilding them, and then the two describe different stores. Try again then.
        JsonElement before = default, rebuilt = default;
        var during = new List<JsonElement>();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            before = await CurrentFiguresAsync(service);
            (during, rebuilt) = await RebuildAsync(holdReplay: attempt == 0);
            if (rebuilt.GetProperty("sequence").GetInt64() == before.GetProperty("sequence").GetInt64())
            {
                break;
            }
        }

        Assert.Equal(before.GetProperty("sequence").GetInt64(), rebuilt.GetProperty("sequence").GetInt64());
        AssertSameFigures(before, rebuilt);
        // While it replayed, every read gave the figures from before it, never a count part-way through the replay.
        Assert.NotEmpty(during);
        foreach (var read in during)
        {
            Assert.Equal(before.GetProperty("sequence").GetInt64(), read.GetProperty("sequence").GetInt64());
            AssertSameFigures(before, read);
        }
    }

    [Fact]
    public async Task A_second_rebuild_asked_for_while_one_replays_joins_it()
    {
        var nhs = TestPatients.NewNhsNumber();
        await service.As("patient", nhs).PutOptOutAsync(nhs, new { optedOut = true, channel = "online" });
        var before = await CurrentFiguresAsync(service);

        var rebuilds = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => service.As("dpo").PostAsync("/v1/statistics/rebuild", null)));

        Assert.All(rebuilds, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        var rebuilt = await FinishedAsync();
        if (rebuilt.GetProperty("sequence").GetInt64() == before.GetProperty("sequence").GetInt64())
        {
            AssertSameFigures(before, rebuilt);
        }
    }

    /// <summary>
    /// Readers are given the kept figures while the replay is short of its target (here set out of reach by a
    /// superuser, so the state holds while it is read), the DPO's with how far it has got and the public's suppressed.
    /// </summary>
    [Fact]
    public async Task While_a_rebuild_replays_the_figures_kept_when_it_began_are_given_to_everyone()
    {
        await using var connection = new Npgsql.NpgsqlConnection(service.ConnectionString);
        await connection.OpenAsync();
        await Audit.Verification.ExecuteAsync(connection, """
            begin;
            delete from optout.statistics_rebuild;
            truncate optout.statistics_monthly_kept, optout.statistics_by_practice_kept;
            insert into optout.statistics_monthly_kept values ('2001-01-01', 'national-in-force', '', 42), ('2001-01-01', 'national-set', '', 42);
            insert into optout.statistics_by_practice_kept values ('B82001', 7);
            insert into optout.statistics_rebuild values (1, 12, 9000000000000, now());
            commit;
            """);
        try
        {
            var figures = await service.As("dpo").GetAsync("/v1/statistics").JsonAsync();
            Assert.Equal(12, figures.GetProperty("sequence").GetInt64());
            Assert.Equal(9000000000000, figures.GetProperty("rebuilding").GetProperty("target").GetInt64());
            var january = figures.GetProperty("months")[0];
            Assert.Equal(("2001-01", 42), (january.GetProperty("month").GetString(), january.GetProperty("nationalOptOutsInForce").GetInt64()));
            Assert.Equal("B82001", figures.GetProperty("type1ByPractice")[0].GetProperty("practice").GetString());

            var published = await service.WithToken(null).GetAsync("/v1/statistics/national").JsonAsync();
            Assert.Equal(12, published.GetProperty("sequence").GetInt64());
            Assert.Equal(40, published.GetProperty("months")[0].GetProperty("nationalOptOutsInForce").GetInt64());
            Assert.False(published.TryGetProperty("rebuilding", out _));
        }
        finally
        {
            await Audit.Verification.ExecuteAsync(connection, "delete from optout.statistics_rebuild");
        }

        Assert.False((await service.As("dpo").GetAsync("/v1/statistics").JsonAsync()).TryGetProperty("rebuilding", out _));
    }

    /// <summary>
    /// Begins a rebuild and reads the figures until it has finished: the reads while it replayed, and the figures after.
    /// With <paramref name="holdReplay"/>, a superuser's lock on the events holds the replay (which reads them; the
    /// rebuild's beginning does not) for the first reads, as the whole country's minutes of replay would.
    /// </summary>
    private async Task<(List<JsonElement> During, JsonElement After)> RebuildAsync(bool holdReplay)
    {
        var held = holdReplay ? await HoldEventsAsync() : null;
        var during = new List<JsonElement>();
        JsonElement read;
        try
        {
            using var begun = await service.As("dpo").PostAsync("/v1/statistics/rebuild", null);
            Assert.Equal(HttpStatusCode.Accepted, begun.StatusCode);
            Assert.Equal("/v1/statistics", begun.Headers.Location?.ToString());
            read = await Task.FromResult(begun).JsonAsync();
            for (var reads = 0; held is not null && reads < 5; reads++, read = await service.As("dpo").GetAsync("/v1/statistics").JsonAsync())
            {
                Assert.True(read.TryGetProperty("rebuilding", out _), read.ToString());
                during.Add(read);
            }
        }
        finally
        {
            if (held is not null)
            {
                await held.DisposeAsync();
            }
        }

        for (var deadline = DateTime.UtcNow.AddSeconds(60); read.TryGetProperty("rebuilding", out _) && DateTime.UtcNow < deadline; read = await service.As("dpo").GetAsync("/v1/statistics").JsonAsync())
        {
            during.Add(read);
            await Task.Delay(20);
        }

        Assert.False(read.TryGetProperty("rebuilding", out _), "The rebuild did not finish in 60 seconds.");
        return (during, read);
    }

    private async Task<Npgsql.NpgsqlConnection> HoldEventsAsync()
    {
        var connection = new Npgsql.NpgsqlConnection(service.ConnectionString);
        await connection.OpenAsync();
        await connection.BeginTransactionAsync();
        await Audit.Verification.ExecuteAsync(connection, "lock table optout.mt_events in access exclusive mode");
        return connection;
    }

    private async Task<JsonElement> FinishedAsync()
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < deadline; await Task.Delay(50))
        {
            var read = await service.As("dpo").GetAsync("/v1/statistics").JsonAsync();
            if (!read.TryGetProperty("rebuilding", out _))
            {
                return read;
            }
        }

        throw new TimeoutException("The rebuild did not finish in 60 seconds.");
    }

    private static void AssertSameFigures(JsonElement expected, JsonElement actual)
    {
        var differences = expected.GetProperty("months").EnumerateArray().Zip(actual.GetProperty("months").EnumerateArray())
            .Where(m => m.First.GetRawText() != m.Second.GetRawText())
            .Select(m => $"expected: {m.First.GetRawText()}\nactual:   {m.Second.GetRawText()}");
        Assert.Equal(expected.GetProperty("months").GetArrayLength(), actual.GetProperty("months").GetArrayLength());
        Assert.True(!differences.Any(), string.Join("\n", differences));
        Assert.Equal(expected.GetProperty("type1ByPractice").GetRawText(), actual.GetProperty("type1ByPractice").GetRawText());
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
