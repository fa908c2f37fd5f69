using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.Browser;

/// <summary>
/// Patients in a real browser, through the real sign-in redirect: every page they meet passes axe-core with no
/// violations, and what they do arrives where pipelines look.
/// </summary>
[Collection(BrowserGroup.Name)]
public class PatientJourneyTests(BrowserJourneys app)
{
    [Fact]
    public async Task A_patient_signs_in_opts_out_and_pipelines_see_it_at_once_and_on_RabbitMQ()
    {
        const string nhs = "9434765919";
        await using var queue = await ChangeSubscriber.BindAsync(app.Servers.RabbitMq, "OptOut.Contracts.V1:NationalDataOptOutChanged");
        var page = await app.NewPageAsync();

        await page.GotoAsync(app.Web.ToString());
        await Journeys.AssertAccessibleAsync(page, "start");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start now" }).ClickAsync();
        await Journeys.SignInAsync(page, "adult-patient");
        await Expect(page).ToHaveTitleAsync(new System.Text.RegularExpressions.Regex("^Your health data choices"));
        await Journeys.AssertAccessibleAsync(page, "choices");

        await page.GetByRole(AriaRole.Link, new() { Name = "Change your choice about research and planning" }).ClickAsync();
        await Journeys.AssertAccessibleAsync(page, "question");
        // Nothing is chosen for them: a patient who never chose finds no answer selected, and is told there is none on record.
        await Expect(page.Locator("input[name=Answer]:checked")).ToHaveCountAsync(0);
        await Expect(page.Locator("#answer-hint")).ToContainTextAsync("No choice has been made yet.");
        await page.GetByLabel("No, I do not allow").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await Journeys.AssertAccessibleAsync(page, "check");
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm your choice" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your choice has been saved" })).ToBeVisibleAsync();
        // A reference to read aloud, and the answer the record holds under it.
        await Expect(page.Locator(".nhsuk-panel__body")).ToContainTextAsync(new System.Text.RegularExpressions.Regex("Your reference is [0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}\\s*$"));
        await Expect(page.Locator("main")).ToContainTextAsync("You chose: No, I do not allow");
        Assert.DoesNotContain("answer=", page.Url, StringComparison.Ordinal);
        await Journeys.AssertAccessibleAsync(page, "confirmation");
        var status = await app.Api.As("pipeline").GetAsync($"/v1/opt-outs/{nhs}").JsonAsync();
        Assert.True(status.GetProperty("optedOut").GetBoolean());
        var message = Assert.Single(await queue.WaitForAsync(m => m.NhsNumber == nhs, 1, TimeSpan.FromSeconds(30)));
        Assert.True(message.OptedOut);

        await page.GetByRole(AriaRole.Link, new() { Name = "Go back to your data choices" }).ClickAsync();
        await Expect(page.Locator("#national-data-opt-out")).ToContainTextAsync("not used for research and planning");
    }

    [Fact]
    public async Task Sending_the_confirmed_form_twice_records_the_choice_once()
    {
        const string nhs = "4010232137";
        var page = await app.NewPageAsync();
        await page.GotoAsync(new Uri(app.Web, "/Choices/NationalDataOptOut").ToString());
        await Journeys.SignInAsync(page, "teenage-patient");
        await page.GetByLabel("No, I do not allow").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        var form = page.Locator("form:has(#confirm)");
        var fields = new Dictionary<string, string>();
        foreach (var input in await form.Locator("input[type=hidden]").AllAsync())
        {
            fields[(await input.GetAttributeAsync("name"))!] = (await input.GetAttributeAsync("value"))!;
        }

        // The same form, sent twice, with the session's cookies: as a double click or a resend after a timeout.
        var first = await page.Context.APIRequest.PostAsync(page.Url, new() { Form = Form(page.Context.APIRequest, fields), MaxRedirects = 0 });
        var second = await page.Context.APIRequest.PostAsync(page.Url, new() { Form = Form(page.Context.APIRequest, fields), MaxRedirects = 0 });

        Assert.Equal((302, 302), (first.Status, second.Status));
        Assert.Equal(1L, await app.Database.ScalarAsync<long>($"select count(*) from optout.mt_events where stream_id = '{nhs}'"));
    }

    [Fact]
    public async Task Continuing_without_an_answer_shows_the_error_summary_linked_to_the_question()
    {
        var page = await app.NewPageAsync(width: 320);
        await page.GotoAsync(new Uri(app.Web, "/Choices/NationalDataOptOut").ToString());
        await Journeys.SignInAsync(page, "adult-patient");
        await page.Locator("input[name=Answer]").EvaluateAllAsync<bool>("inputs => { inputs.forEach(i => i.checked = false); return true; }");

        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();

        await Expect(page).ToHaveTitleAsync(new System.Text.RegularExpressions.Regex("^Error: "));
        var summary = page.Locator(".nhsuk-error-summary");
        await Expect(summary).ToContainTextAsync("Select if your confidential patient information can be used");
        await summary.GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page.Locator("#answer-allow")).ToBeFocusedAsync();
        // Read well at 320 px: nothing wider than the screen.
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= 320"), "the page scrolls sideways at 320 px");
        await Journeys.AssertAccessibleAsync(page, "question-error-320");
    }

    [Fact]
    public async Task A_child_under_13_is_told_a_parent_decides_and_cannot_reach_the_change_through_the_API()
    {
        var page = await app.NewPageAsync();
        await page.GotoAsync(new Uri(app.Web, "/Choices").ToString());
        await Journeys.SignInAsync(page, "child-patient");

        await Expect(page.Locator("main")).ToContainTextAsync("a person with parental responsibility makes them for you");
        await Journeys.AssertAccessibleAsync(page, "choices-under-13");

        // A child who types a question's address is told before the question, with a 403, not walked through it to be
        // told at the end (before: the question, the check page, then "not saved" beside a "Try again" that never works).
        foreach (var question in new[] { "/Choices/NationalDataOptOut", "/Choices/Consent/wearable-data-sharing" })
        {
            var response = await page.GotoAsync(new Uri(app.Web, question).ToString());
            Assert.Equal(403, response!.Status);
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("You cannot make this choice yourself yet");
            await Expect(page.Locator("main")).ToContainTextAsync("Until you are 13, a person with parental responsibility makes them for you");
            await Expect(page.Locator("main input[type=radio]")).ToHaveCountAsync(0);
            await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Continue" })).ToHaveCountAsync(0);
        }

        await Journeys.AssertAccessibleAsync(page, "question-under-13");
        Assert.Equal(0L, await app.Database.ScalarAsync<long>("select count(*) from optout.mt_events where stream_id = '4857773457' and (data->'decidedBy'->>'actorId') = 'child-patient'"));
    }

    [Fact]
    public async Task The_accessibility_statement_is_linked_from_every_pages_footer()
    {
        var page = await app.NewPageAsync();
        foreach (var path in new[] { "/", "/about", "/statistics", "/signed-out" })
        {
            await page.GotoAsync(new Uri(app.Web, path).ToString());
            await Expect(page.Locator("footer").GetByRole(AriaRole.Link, new() { Name = "Accessibility statement" })).ToHaveAttributeAsync("href", "/accessibility");
        }

        await page.Locator("footer").GetByRole(AriaRole.Link, new() { Name = "Accessibility statement" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Accessibility statement");
        await Expect(page.Locator("main")).ToContainTextAsync("partially compliant with the Web Content Accessibility Guidelines version 2.2 AA");
        await Journeys.AssertAccessibleAsync(page, "accessibility-statement");
    }

    [Fact]
    public async Task A_forged_confirmation_link_shows_that_nothing_was_saved()
    {
        var page = await app.NewPageAsync();
        await page.GotoAsync(new Uri(app.Web, "/Choices").ToString());
        await Journeys.SignInAsync(page, "adult-patient");

        foreach (var forged in new[]
                 {
                     "/Choices/NationalDataOptOut/Confirmation?answer=allow&reference=FAKE-123",
                     "/Choices/Consent/wearable-data-sharing/saved?decision=permit&reference=7KQ4-M2XD",
                 })
        {
            var response = await page.GotoAsync(new Uri(app.Web, forged).ToString());

            Assert.Equal(404, response!.Status);
            await Expect(page.Locator(".nhsuk-panel")).ToHaveCountAsync(0);
            await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^No (choice|answer) was saved$"));
        }

        await Journeys.AssertAccessibleAsync(page, "forged-confirmation");
    }

    [Fact]
    public async Task A_patient_whose_identity_is_checked_only_to_P5_can_look_but_not_change()
    {
        var page = await app.NewPageAsync();
        await page.GotoAsync(new Uri(app.Web, "/Choices").ToString());
        await Journeys.SignInAsync(page, "basic-patient");

        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Change your choice about research and planning" })).ToHaveCountAsync(0);
        var refused = await page.GotoAsync(new Uri(app.Web, "/Choices/NationalDataOptOut").ToString());
        Assert.Equal(403, refused!.Status);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("You need to prove who you are to change this choice");
        await Journeys.AssertAccessibleAsync(page, "question-p5");
    }

    private static IFormData Form(IAPIRequestContext request, Dictionary<string, string> fields)
    {
        var form = request.CreateFormData();
        foreach (var (key, value) in fields)
        {
            form.Set(key, value);
        }

        return form;
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);

    private static IPageAssertions Expect(IPage page) => Assertions.Expect(page);
}
