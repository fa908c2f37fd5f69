using System.Globalization;
using System.Net;
using Microsoft.Playwright;
using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.Browser;

/// <summary>The statistics in a real browser: the officers' figures against an independent count, and the public's suppressed ones.</summary>
[Collection(BrowserGroup.Name)]
public class StatisticsJourneyTests(BrowserJourneys app)
{
    private static readonly CultureInfo English = CultureInfo.InvariantCulture; // month names and thousands as the pages write them

    [Fact]
    public async Task A_data_protection_officer_reads_this_months_figures_and_they_match_a_count_from_the_events()
    {
        foreach (var channel in new[] { "online", "nhs-app", "online" })
        {
            var nhs = TestPatients.NewNhsNumber();
            await app.Api.As("patient", nhs).PutOptOutAsync(nhs, new { optedOut = true, channel });
        }

        await FiguresCaughtUpAsync();
        var page = await app.NewPageAsync();
        await page.GotoAsync(new Uri(app.Web, "/Staff/Statistics").ToString());
        await Journeys.SignInAsync(page, "dpo");
        await Journeys.AssertAccessibleAsync(page, "staff-statistics");

        // This month's row, as the page shows it, against counts the test makes itself from the stored records and events.
        var month = DateTime.UtcNow.ToString("MMM yyyy", English);
        var row = page.Locator("table").First.Locator("tr", new() { Has = page.Locator($"th:text-is('{month}')") });
        var cells = await row.Locator("td").AllInnerTextsAsync();
        var inForce = await app.Database.ScalarAsync<long>(
            "select count(*) from optout.mt_doc_patientpreferences where (data->'nationalDataOptOut'->>'optedOut')::boolean and data->>'supersededBy' is null");
        var setThisMonth = await app.Database.ScalarAsync<long>(
            "select count(*) from optout.mt_events where type = 'national_data_opt_out_set' and " +
            "date_trunc('month', (data->>'recordedAt')::timestamptz at time zone 'Europe/London') = date_trunc('month', now() at time zone 'Europe/London')");
        Assert.Equal(inForce, Number(cells[0]));
        Assert.Equal(setThisMonth, Number(cells[1].Split(' ')[0]));

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download national data opt-outs by month (CSV)" }).ClickAsync());
        var lastRow = (await File.ReadAllLinesAsync((await download.PathAsync())!))[^1].Split(',');
        Assert.Equal((inForce, setThisMonth), (long.Parse(lastRow[1], CultureInfo.InvariantCulture), long.Parse(lastRow[2], CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task The_public_sees_the_national_figures_without_signing_in_and_no_count_below_ten()
    {
        for (var i = 0; i < 12; i++)
        {
            var nhs = TestPatients.NewNhsNumber();
            await app.Api.As("patient", nhs).PutOptOutAsync(nhs, new { optedOut = true, channel = "online" });
        }

        await FiguresCaughtUpAsync();
        var page = await app.NewPageAsync(width: 320);
        await page.GotoAsync(new Uri(app.Web, "/statistics").ToString());

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("National data opt-out statistics");
        await Journeys.AssertAccessibleAsync(page, "public-statistics");
        var cells = await page.Locator("table td").AllInnerTextsAsync();
        Assert.NotEmpty(cells);
        Assert.All(cells, cell => Assert.True(cell == "Fewer than 10" || (Number(cell) >= 10 && Number(cell) % 5 == 0), $"published: {cell}"));
        Assert.Equal(0, await page.EvaluateAsync<int>("document.documentElement.scrollWidth - document.documentElement.clientWidth"));

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download these figures (CSV)" }).ClickAsync());
        var published = (await File.ReadAllLinesAsync((await download.PathAsync())!)).Skip(1).SelectMany(l => l.Split(',').Skip(1)).ToList();
        Assert.All(published, cell => Assert.True(cell == "[c]" || (long.Parse(cell, CultureInfo.InvariantCulture) is var n && n >= 10 && n % 5 == 0), $"published: {cell}"));
    }

    [Theory]
    [InlineData(1280)]
    [InlineData(320)]
    public async Task A_chart_is_legible_at_every_width_and_one_month_is_a_bar_not_a_block(int width)
    {
        // Ten, so the public figure is not withheld (a count below ten is drawn as no bar).
        for (var i = 0; i < 10; i++)
        {
            var nhs = TestPatients.NewNhsNumber();
            await app.Api.As("patient", nhs).PutOptOutAsync(nhs, new { optedOut = true, channel = "online" });
        }

        await FiguresCaughtUpAsync();
        var page = await app.NewPageAsync(width);
        await page.GotoAsync(new Uri(app.Web, "/statistics").ToString());

        // Axis labels on screen between 11 and 26 px tall: before, a wide screen drew them about 30 px tall.
        var labels = await page.Locator(".optout-chart__axis").EvaluateAllAsync<double[]>("all => all.map(e => e.getBoundingClientRect().height)");
        Assert.NotEmpty(labels);
        Assert.All(labels, h => Assert.InRange(h, 11, 26));
        // A bar is at most 60 px wide: before, a chart of one month was a single bar across the whole chart.
        var bars = await page.Locator(".optout-chart__bar").EvaluateAllAsync<double[]>("all => all.map(e => e.getBoundingClientRect().width)");
        Assert.NotEmpty(bars);
        Assert.All(bars, w => Assert.InRange(w, 1, 60));
        // Labels never overlap one another.
        var boxes = await page.Locator("svg text[text-anchor=middle]").EvaluateAllAsync<double[][]>("all => all.map(e => { const r = e.getBoundingClientRect(); return [r.left, r.right, r.top]; })");
        foreach (var row in boxes.GroupBy(b => Math.Round(b[2])))
        {
            var sorted = row.OrderBy(b => b[0]).ToList();
            Assert.All(sorted.Zip(sorted.Skip(1)), pair => Assert.True(pair.First[1] <= pair.Second[0], "two axis labels overlap"));
        }
    }

    [Fact]
    public async Task A_rebuild_begun_from_the_page_is_followed_there_with_the_earlier_figures_shown_meanwhile()
    {
        var nhs = TestPatients.NewNhsNumber();
        await app.Api.As("patient", nhs).PutOptOutAsync(nhs, new { optedOut = true, channel = "online" });
        await FiguresCaughtUpAsync();
        var page = await app.NewPageAsync();
        await page.GotoAsync(new Uri(app.Web, "/Staff/Statistics").ToString());
        await Journeys.SignInAsync(page, "dpo");

        await page.GetByRole(AriaRole.Button, new() { Name = "Rebuild the figures" }).ClickAsync();
        var rebuilding = page.GetByRole(AriaRole.Heading, new() { Name = "The figures are being rebuilt" });
        for (var looked = 0; looked < 100 && await rebuilding.IsVisibleAsync(); looked++)
        {
            await page.GetByRole(AriaRole.Link, new() { Name = "Check progress" }).ClickAsync();
        }

        await Assertions.Expect(rebuilding).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Rebuild the figures" })).ToBeVisibleAsync();

        // Held part-way, as at the whole country's size: a superuser sets the replay's target out of reach.
        await using var connection = new Npgsql.NpgsqlConnection(app.Database.ConnectionString);
        await connection.OpenAsync();
        await Audit.Verification.ExecuteAsync(connection, """
            begin;
            truncate optout.statistics_monthly_kept, optout.statistics_by_practice_kept;
            insert into optout.statistics_monthly_kept select * from optout.statistics_monthly;
            insert into optout.statistics_by_practice_kept select * from optout.statistics_by_practice;
            delete from optout.statistics_rebuild;
            insert into optout.statistics_rebuild select 1, s, s + 15, now() from coalesce((select last_seq_id from optout.mt_event_progression where name = 'Statistics:All'), 0) s;
            commit;
            """);
        try
        {
            await page.ReloadAsync();
            await Assertions.Expect(rebuilding).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("#rebuilding")).ToContainTextAsync("the figures here and on the public page are the ones from before the rebuild began");
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Rebuild the figures" })).ToHaveCountAsync(0);
            await Journeys.AssertAccessibleAsync(page, "staff-statistics-rebuilding");
        }
        finally
        {
            await Audit.Verification.ExecuteAsync(connection, "delete from optout.statistics_rebuild");
        }
    }

    [Theory]
    [InlineData("adult-patient")]
    [InlineData("contact-centre")]
    public async Task Only_data_protection_officers_open_the_full_figures(string identity)
    {
        var page = await app.NewPageAsync();
        await page.GotoAsync(new Uri(app.Web, "/Staff/Statistics").ToString());
        await Journeys.SignInAsync(page, identity);

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("You cannot see this page");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Rebuild the figures" })).ToHaveCountAsync(0);
    }

    [Theory]
    [InlineData("/Staff/Statistics")]
    [InlineData("/Staff/Audit")]
    [InlineData("/Staff/Record")]
    public async Task A_pipeline_or_patient_token_does_not_open_a_staff_page(string path)
    {
        // The pages take only their own sign-in: an API token presented to them is not one, so they send the caller to sign in.
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = app.Web };
        foreach (var token in new[] { app.Settings.Token("pipeline"), app.Settings.Token("patient", TestPatients.NewNhsNumber()), app.Settings.Token("dpo") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Authorization = new("Bearer", token);
            using var response = await http.SendAsync(request);

            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Contains("/connect/authorize", response.Headers.Location!.ToString(), StringComparison.Ordinal);
        }
    }

    private async Task FiguresCaughtUpAsync()
    {
        var latest = await app.Database.ScalarAsync<long>("select coalesce(max(seq_id), 0) from optout.mt_events");
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var figures = await app.Api.As("dpo").GetAsync("/v1/statistics").JsonAsync();
            if (figures.GetProperty("sequence").GetInt64() >= latest)
            {
                return;
            }

            await Task.Delay(100);
        }
    }

    private static long Number(string text) => long.Parse(text.Trim(), NumberStyles.AllowThousands, English);
}
