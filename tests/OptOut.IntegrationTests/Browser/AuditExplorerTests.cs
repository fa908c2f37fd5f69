using Microsoft.Playwright;
using Npgsql;
using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.Browser;

/// <summary>Data-protection officers in a real browser: the trail searched, exported, verified offline, and a tampered entry found.</summary>
[Collection(BrowserGroup.Name)]
public class AuditExplorerTests(BrowserJourneys app)
{
    [Fact]
    public async Task A_DPO_finds_who_looked_at_a_record_exports_it_verifies_it_offline_and_sees_a_tampered_entry_as_a_break()
    {
        const string nhs = "9434765919";
        await app.Api.As("pipeline", subject: "extract-for-dpo-test").GetAsync($"/v1/decisions/{nhs}?purpose=planning&dataSource=hospital").JsonAsync();
        var page = await app.NewPageAsync();
        await page.GotoAsync(new Uri(app.Web, "/Staff/Audit").ToString());
        await Journeys.SignInAsync(page, "dpo");

        await page.GetByLabel("NHS number").FillAsync("943 476 5919");
        await page.GetByLabel("Kind").SelectOptionAsync("access");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        var table = page.Locator("main table");
        await Assertions.Expect(table).ToContainTextAsync("Extract pipeline (extract-for-dpo-test)");
        await Assertions.Expect(table).Not.ToContainTextAsync("485 777 3457");
        await Journeys.AssertAccessibleAsync(page, "audit-explorer");

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "NDJSON (verifiable offline)" }).ClickAsync());
        var file = Path.Combine(Directory.CreateTempSubdirectory("optout-export-").FullName, "audit.ndjson");
        await download.SaveAsAsync(file);
        var lines = await File.ReadAllLinesAsync(file);
        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.Contains($"\"nhsNumber\":\"{nhs}\"", l, StringComparison.Ordinal));
        var verified = await OptOutCli.RunAsync(app.Settings.SigningKey, "audit-verify", file);
        Assert.True(verified.ExitCode == 0, verified.Stdout + verified.Stderr);

        await page.GetByRole(AriaRole.Link, new() { Name = "Check the trail has not been changed" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify now" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "The audit trail is intact" })).ToBeVisibleAsync();
        // Times in the NHS style, never the system's ("signed 5 December 2026 at 9:50pm", not an ISO timestamp).
        var signed = page.Locator("dd").Filter(new() { HasTextRegex = new System.Text.RegularExpressions.Regex("signed|None yet") });
        await Assertions.Expect(signed).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"(signed \d{1,2} [A-Z][a-z]+ \d{4} at \d{1,2}(:\d{2})?(am|pm)$)|None yet"));
        await Journeys.AssertAccessibleAsync(page, "audit-verified");

        // A large store's check takes minutes: the page shows how far it has got, and the officer comes back to it.
        await using (await Audit.Verification.HoldSnapshotsAsync(app.Database.ConnectionString))
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "Verify now" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "A check is running" })).ToBeVisibleAsync(new() { Timeout = 20_000 });
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Verify now" })).ToHaveCountAsync(0);
            await Journeys.AssertAccessibleAsync(page, "audit-verify-running");
        }

        var intact = page.GetByRole(AriaRole.Heading, new() { Name = "The audit trail is intact" });
        for (var looked = 0; looked < 50 && !await intact.IsVisibleAsync(); looked++)
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "Check progress" }).ClickAsync();
        }

        await Assertions.Expect(intact).ToBeVisibleAsync();

        var tampered = await TamperAsync();
        try
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "Verify now" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "The audit trail has been changed" })).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("#break")).ToContainTextAsync($"entry {tampered}");
            await Journeys.AssertAccessibleAsync(page, "audit-broken");
        }
        finally
        {
            await RestoreAsync(tampered);
        }
    }

    [Fact]
    public async Task A_subject_access_report_lists_every_change_and_use_prints_cleanly_and_downloads()
    {
        const string nhs = "9434765919";
        await app.Api.As("pipeline", subject: "extract-for-subject-access").GetAsync($"/v1/opt-outs/{nhs}").JsonAsync();
        var page = await app.NewPageAsync();
        await page.GotoAsync(new Uri(app.Web, "/Staff/Audit/Subject").ToString());
        await Journeys.SignInAsync(page, "dpo");

        await page.GetByLabel("NHS number").FillAsync(nhs);
        await page.GetByRole(AriaRole.Button, new() { Name = "Show the report" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Report for NHS number 943 476 5919" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("Extract pipeline (extract-for-subject-access)");
        await Journeys.AssertAccessibleAsync(page, "subject-access");
        await page.EmulateMediaAsync(new() { Media = Media.Print });
        await Assertions.Expect(page.Locator(".nhsuk-header")).ToBeHiddenAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Show the report" })).ToBeHiddenAsync();
        await page.EmulateMediaAsync(new() { Media = Media.Screen });

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Download it (JSON)" }).ClickAsync());
        var report = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync((await download.PathAsync())!)).RootElement;
        Assert.Equal(nhs, report.GetProperty("nhsNumber").GetString());
        Assert.Contains(report.GetProperty("entries").EnumerateArray(), e => e.GetProperty("actor").GetString() == "extract-for-subject-access");
    }

    [Fact]
    public async Task Contact_centre_staff_cannot_open_the_audit_trail()
    {
        var page = await app.NewPageAsync();
        await page.GotoAsync(new Uri(app.Web, "/Staff/Audit").ToString());
        await Journeys.SignInAsync(page, "contact-centre");

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("You cannot see this page");
    }

    [Fact]
    public async Task A_DPO_finds_a_change_by_its_reference_asks_for_dates_as_day_month_and_year_and_reads_people_not_codes()
    {
        // A paper form contact-centre staff recorded: before, the report said "By: contact-centre (patient)".
        var nhs = TestPatients.NewNhsNumber();
        var recorded = await app.Api.As("admin", subject: "agent-paper-7").PutOptOutAsync(nhs, new { optedOut = true, channel = "paper", patientBirthDate = TestPatients.AdultBorn, effectiveAt = DateTimeOffset.UtcNow.AddDays(-2) });
        var reference = recorded.Headers.GetValues("OptOut-Reference").Single();
        var page = await app.NewPageAsync();
        await page.GotoAsync(new Uri(app.Web, "/Staff/Audit").ToString());
        await Journeys.SignInAsync(page, "dpo");

        // The period is asked for with the NHS date pattern; a date that is not real is said back and nothing is searched.
        await page.Locator("#query-from-day").FillAsync("31");
        await page.Locator("#query-from-month").FillAsync("2");
        await page.Locator("#query-from-year").FillAsync("2026");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Assertions.Expect(page.Locator(".nhsuk-error-summary")).ToContainTextAsync("Enter a real 'from' date");
        await Assertions.Expect(page.Locator("main table")).ToHaveCountAsync(0);
        await Assertions.Expect(page.Locator("input[type=date]")).ToHaveCountAsync(0);
        await Journeys.AssertAccessibleAsync(page, "audit-date-error");

        // The reference as a patient reads it out, lower case and with an O for a 0, finds the change alone.
        var today = DateTime.UtcNow;
        await page.Locator("#query-from-day").FillAsync(today.AddDays(-1).Day.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.Locator("#query-from-month").FillAsync(today.AddDays(-1).Month.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.Locator("#query-from-year").FillAsync(today.AddDays(-1).Year.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByLabel("Change reference").FillAsync(reference.ToLowerInvariant().Replace('0', 'o'));
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        var rows = page.Locator("main table tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(rows).ToContainTextAsync("Contact-centre staff (agent-paper-7)");
        await Assertions.Expect(rows).ToContainTextAsync(Words(nhs));
        await Assertions.Expect(rows).ToContainTextAsync("Done (200)");

        // An entry's hashes are data, in the text colour, not the design system's red that reads as an error.
        await rows.GetByRole(AriaRole.Link).ClickAsync();
        Assert.Equal("rgb(33, 43, 50)", await page.Locator(".optout-hash").First.EvaluateAsync<string>("e => getComputedStyle(e).color"));
        await Journeys.AssertAccessibleAsync(page, "audit-entry");

        await page.GotoAsync(new Uri(app.Web, "/Staff/Audit/Subject").ToString());
        await page.GetByLabel("NHS number").FillAsync(nhs);
        await page.GetByRole(AriaRole.Button, new() { Name = "Show the report" }).ClickAsync();
        var changes = page.Locator("main table").First;
        await Assertions.Expect(changes).ToContainTextAsync("Contact-centre staff (agent-paper-7), for the patient");
        await Assertions.Expect(changes).ToContainTextAsync("Paper form");
        // The identity check used belongs with the decision, so a DPO answering for it can say how the person was known.
        await Assertions.Expect(changes).ToContainTextAsync("Contact centre's identity checks");
        await Assertions.Expect(page.Locator("main")).Not.ToContainTextAsync("(patient)");
    }

    private static string Words(string nhs) => $"{nhs[..3]} {nhs[3..6]} {nhs[6..]}";

    /// <summary>Rewrites one entry behind the append-only trigger, as an intruder with the owner's rights could.</summary>
    private async Task<long> TamperAsync()
    {
        await using var connection = new NpgsqlConnection(app.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "alter table optout.audit_entries disable trigger user; " +
            "update optout.audit_entries set actor = actor || '-forged' where seq = (select max(seq) - 5 from optout.audit_entries) returning seq; ", connection);
        var sequence = (long)(await command.ExecuteScalarAsync())!;
        await using var enable = new NpgsqlCommand("alter table optout.audit_entries enable trigger user", connection);
        await enable.ExecuteNonQueryAsync();
        return sequence;
    }

    private async Task RestoreAsync(long sequence)
    {
        await using var connection = new NpgsqlConnection(app.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "alter table optout.audit_entries disable trigger user; " +
            $"update optout.audit_entries set actor = left(actor, length(actor) - 7) where seq = {sequence}; " +
            "alter table optout.audit_entries enable trigger user", connection);
        await command.ExecuteNonQueryAsync();
    }
}
