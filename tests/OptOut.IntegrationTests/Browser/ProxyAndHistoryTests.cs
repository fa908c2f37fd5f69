using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.Browser;

/// <summary>Acting for someone else, and seeing who used a record, in a real browser; axe-core on every page and state.</summary>
[Collection(BrowserGroup.Name)]
public class ProxyAndHistoryTests(BrowserJourneys app)
{
    private const string Child = "4857773457";

    [Fact]
    public async Task A_parent_acts_for_their_child_and_is_refused_with_an_explanation_once_the_authority_ends()
    {
        var admin = app.Api.As("admin");
        await admin.SendJsonAsync(HttpMethod.Post, $"/v1/patients/{Child}/proxies", new
        {
            proxyId = "parent", role = "guardian", evidenceReference = "BIRTH-CERT-1",
            patientBirthDate = DateOnly.FromDateTime(DateTime.UtcNow).AddYears(-9),
        }).JsonAsync();
        var page = await app.NewPageAsync();

        await page.GotoAsync(new Uri(app.Web, "/Choices").ToString());
        await Journeys.SignInAsync(page, "parent");
        await Journeys.AssertAccessibleAsync(page, "act-for");
        await page.GetByRole(AriaRole.Link, new() { Name = "NHS number 485 777 3457" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Their GP practice" })).ToBeVisibleAsync();
        // The page speaks of the child, not of the parent reading it.
        var main = page.Locator("main");
        await Assertions.Expect(main).ToContainTextAsync("Their confidential patient information can be used for research and planning.");
        await Assertions.Expect(main).ToContainTextAsync("Only their GP practice can record or remove a Type 1 opt-out.");
        await Assertions.Expect(page.Locator("#consent-wearable-data-sharing")).ToHaveTextAsync("Not answered");
        await Assertions.Expect(main.Locator("dt", new() { HasText = "wearable" })).ToHaveTextAsync("Sharing data from a wearable device with their GP");
        await AssertSpokenToTheProxyAsync(page);
        await Journeys.AssertAccessibleAsync(page, "choices-proxy");

        // Every page of the journey speaks to the parent about the child: the question, the answers, the check and the
        // confirmation (before, each said "your" and "my" as if the parent were the patient).
        await page.GetByRole(AriaRole.Link, new() { Name = "Change their choice about research and planning" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Can their confidential patient information be used for research and planning?");
        await AssertSpokenToTheProxyAsync(page);
        await page.GetByLabel("No, I do not allow their confidential patient information to be used for research and planning").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await Assertions.Expect(main).ToContainTextAsync("every check of their record");
        await AssertSpokenToTheProxyAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm your choice" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your choice has been saved" })).ToBeVisibleAsync();
        await Assertions.Expect(main).ToContainTextAsync("You chose: No, I do not allow their confidential patient information");
        await Assertions.Expect(main).ToContainTextAsync("will leave their confidential patient information out");
        await AssertSpokenToTheProxyAsync(page);
        await page.GotoAsync(new Uri(app.Web, $"/Choices/Consent/wearable-data-sharing?for={Child}").ToString());
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Sharing data from a wearable device with their GP: do you allow this?");
        await AssertSpokenToTheProxyAsync(page);

        var history = await admin.GetAsync($"/v1/patients/{Child}/preferences").JsonAsync();
        var decidedBy = history.GetProperty("nationalDataOptOut").GetProperty("decidedBy");
        Assert.Equal(("proxy", "guardian", "parent"), (decidedBy.GetProperty("capacity").GetString(), decidedBy.GetProperty("proxyRole").GetString(), decidedBy.GetProperty("recordedBy").GetString()));
        await page.GotoAsync(new Uri(app.Web, $"/Choices/History?for={Child}").ToString());
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Their choices and who used their record");
        await Assertions.Expect(page.Locator("main table").First).ToContainTextAsync("A parent or guardian, for them");
        await AssertSpokenToTheProxyAsync(page);
        await Journeys.AssertAccessibleAsync(page, "history-proxy");

        await admin.SendJsonAsync(HttpMethod.Delete, $"/v1/patients/{Child}/proxies/parent?reason=court+order").JsonAsync();
        await page.GotoAsync(new Uri(app.Web, $"/Choices?for={Child}").ToString());
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("You cannot manage this person's choices now");
        await Journeys.AssertAccessibleAsync(page, "choices-proxy-ended");
        await page.GotoAsync(new Uri(app.Web, "/act-for").ToString());
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Authority that has ended" })).ToBeVisibleAsync();
        Assert.Equal(1L, await app.Database.ScalarAsync<long>($"select count(*) from optout.mt_events where stream_id = '{Child}' and type = 'national_data_opt_out_set'"));
    }

    /// <summary>Nothing in the page's content speaks to the parent as if they were the patient.</summary>
    private static async Task AssertSpokenToTheProxyAsync(IPage page)
    {
        var text = await page.Locator("main").InnerTextAsync();
        var patientWords = System.Text.RegularExpressions.Regex.Matches(text, @"\b(my|your (confidential|record|GP|own|information|data|number|history|choices))\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        Assert.True(patientWords.Count == 0, $"{page.Url} speaks to the parent as the patient: {string.Join(", ", patientWords.Select(m => m.Value))}");
    }

    [Fact]
    public async Task A_parents_authority_ends_on_the_childs_13th_birthday_and_the_parent_is_told_why()
    {
        // History as it stands a year on: staff authorised the parent while the child was 12, and yesterday the child
        // turned 13. The event is appended as staff recorded it then, into the real event store (no clock is faked), with
        // the audit record their change committed, so the re-verification finds it named as every change is.
        var child = TestPatients.NewNhsNumber();
        var birthday = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(-1), TimeSpan.Zero);
        var recorded = birthday.AddDays(-400);
        await using (var store = Marten.DocumentStore.For(o => OptOut.EventStore.EventStoreSetup.Configure(o, app.Database.ConnectionString, "optout")))
        await using (var database = Npgsql.NpgsqlDataSource.Create(app.Database.ConnectionString))
        await using (var session = store.LightweightSession())
        {
            var stream = session.Events.StartStream<OptOut.Records.PatientPreferences>(child, new OptOut.Records.ProxyAuthorised(
                OptOut.NhsNumbers.NhsNumber.Parse(child), Guid.CreateVersion7(), new OptOut.Records.DecisionMaker("staff-7", "admin", null, null, null),
                "parent", OptOut.Records.ProxyRole.Guardian, "BIRTH-CERT-2", birthday, recorded, recorded));
            var audit = new OptOut.Audit.AuditRecord("change", "POST /v1/patients/{nhsNumber}/proxies", "staff-7", "admin", child, null, 200, "seeded-" + child, "{}");
            OptOut.Audit.ChangeAudit.RecordWith(session, new OptOut.Audit.AuditSchema(database, new OptOut.EventStore.EventStoreNames("optout")), audit, stream.Events);
            await session.SaveChangesAsync();
        }

        var page = await app.NewPageAsync();
        await page.GotoAsync(new Uri(app.Web, "/act-for").ToString());
        await Journeys.SignInAsync(page, "parent");

        var ended = page.Locator("main");
        await Assertions.Expect(ended).ToContainTextAsync("A parent's authority ends when the child turns 13");
        await Assertions.Expect(ended).ToContainTextAsync($"NHS number {child[..3]} {child[3..6]} {child[6..]}, ended");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = $"NHS number {child[..3]} {child[3..6]} {child[6..]}" })).ToHaveCountAsync(0);
        await Journeys.AssertAccessibleAsync(page, "act-for-ended");
        await page.GotoAsync(new Uri(app.Web, $"/Choices?for={child}").ToString());
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("the child turned 13");
        var refused = await app.Api.Client(app.Settings.Token("proxy", subject: "parent")).PutOptOutAsync(child, new { optedOut = true, channel = "online" });
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task A_patient_sees_a_pipelines_look_up_of_their_record_with_its_purpose_and_answer()
    {
        const string nhs = "9434765919";
        var pipeline = app.Api.As("pipeline", subject: "extract-nhs-research-42");
        await pipeline.GetAsync($"/v1/decisions/{nhs}?purpose=research&dataSource=gp").JsonAsync();
        var page = await app.NewPageAsync();

        await page.GotoAsync(new Uri(app.Web, "/Choices/History").ToString());
        await Journeys.SignInAsync(page, "adult-patient");

        var uses = page.Locator("main table").Last;
        await Assertions.Expect(uses).ToContainTextAsync("An organisation preparing health data for research or planning (extract-nhs-research-42)");
        await Assertions.Expect(uses).ToContainTextAsync("Research");
        await Assertions.Expect(uses).ToContainTextAsync("Told");
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("What this page cannot show");
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("Checked against the signed record of");
        // "none is missing from this list", or when the map has not yet taken in the latest uses, "none recorded up to <time>".
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync(new System.Text.RegularExpressions.Regex("the signed record shows none (recorded up to .+ )?is missing from this list"));
        await Journeys.AssertAccessibleAsync(page, "history");

        // The download is the history with its proofs, as the API gave it: signed by the log's published key.
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download your history with its proofs (JSON file)" }).ClickAsync());
        var history = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync((await download.PathAsync())!)).RootElement;
        var key = OptOut.Contracts.Audit.SignedNote.ParseVerifierKey((await app.Api.Client().GetStringAsync("/v1/audit/log/key")).Trim())!.Value;
        Assert.NotNull(OptOut.Contracts.Audit.SignedNote.Verify(history.GetProperty("checkpoint").GetString()!, key.Name, key.PublicKey));
        Assert.Equal(nhs, history.GetProperty("nhsNumber").GetString());
        Assert.Contains(history.GetProperty("entries").EnumerateArray(), e => e.GetProperty("proof").GetArrayLength() > 0);
        var map = Assert.Single(history.GetProperty("map").EnumerateArray());
        var checkpoint = OptOut.Contracts.Audit.LogCheckpoint.Parse(OptOut.Contracts.Audit.SignedNote.Parse(history.GetProperty("checkpoint").GetString()!)!.Value.Text)!;
        Assert.Equal(history.GetProperty("entries").EnumerateArray().Count(e => e.GetProperty("sequence").GetInt64() <= checkpoint.Map!.Size),
            map.GetProperty("leaf").GetProperty("entries").GetInt64());
    }

    [Fact]
    public async Task While_the_patient_map_lags_the_page_says_up_to_when_the_list_is_shown_complete()
    {
        const string nhs = "9434765919";
        var page = await app.NewPageAsync();
        await page.GotoAsync(new Uri(app.Web, "/Choices").ToString());
        await Journeys.SignInAsync(page, "adult-patient");

        // The map's writes held (checkpoints go on) while a look-up is signed past it, and the page read meanwhile.
        HttpResponseMessage looked;
        await using (await app.Database.HoldPatientMapWritesAsync())
        {
            await Task.Delay(TimeSpan.FromSeconds(2.5));
            looked = await app.Api.As("pipeline", subject: "extract-lagging-map").GetAsync($"/v1/opt-outs/{nhs}");
            var sequence = await app.Database.ScalarAsync<long>($"select coalesce(max(seq), 0) from optout.audit_entries where nhs_number = '{nhs}'");
            for (var i = 0; i < 100 && await app.Database.ScalarAsync<long>("select coalesce(max(size), 0) from optout.audit_log_checkpoints") < sequence; i++)
            {
                await Task.Delay(100);
            }

            await page.GotoAsync(new Uri(app.Web, "/Choices/History").ToString());
        }

        Assert.True(looked.IsSuccessStatusCode);
        // Both times in the same minute: told apart to the second, not "up to 6:52am" against "of 6:52am".
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync(new System.Text.RegularExpressions.Regex(
            @"signed record of \d+ \w+ \d{4} at \d+:\d\d(:\d\d)?[ap]m: .+ the signed record shows none recorded up to \d+ \w+ \d{4} at \d+:\d\d(:\d\d)?[ap]m is missing from this list"));
        var shown = await page.Locator("main").InnerTextAsync();
        var times = System.Text.RegularExpressions.Regex.Matches(shown, @"\d{4} at (\d+:\d\d(:\d\d)?[ap]m)").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEqual(times[0], times[1]);
        await Journeys.AssertAccessibleAsync(page, "history-map-lagging");
    }

    [Fact]
    public async Task A_history_with_nothing_in_it_says_so()
    {
        var page = await app.NewPageAsync();
        await page.GotoAsync(new Uri(app.Web, "/Choices/History").ToString());
        await Journeys.SignInAsync(page, "basic-patient");

        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("No choices have been recorded yet.");
        await Journeys.AssertAccessibleAsync(page, "history-empty");
    }

    [Fact]
    public async Task Another_patients_record_is_never_reachable_by_changing_the_address()
    {
        var page = await app.NewPageAsync();
        await page.GotoAsync(new Uri(app.Web, $"/Choices?for={Child}").ToString());
        await Journeys.SignInAsync(page, "second-adult-patient");

        // A patient's pages are always about their own record, whatever the address says.
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Your health data choices");
        await page.GotoAsync(new Uri(app.Web, $"/Choices/NationalDataOptOut/Check?answer=opt-out&for={Child}").ToString());
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm your choice" }).ClickAsync();
        Assert.Equal(0L, await app.Database.ScalarAsync<long>($"select count(*) from optout.mt_events where stream_id = '{Child}' and (data->'decidedBy'->>'actorId') = 'second-adult-patient'"));
        Assert.Equal(1L, await app.Database.ScalarAsync<long>("select count(*) from optout.mt_events where stream_id = '9876543210'"));
    }
}
