using Microsoft.Playwright;
using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.Browser;

/// <summary>Contact-centre staff in a real browser: a paper form recorded reaches RabbitMQ as the paper channel, from the date it was signed.</summary>
[Collection(BrowserGroup.Name)]
public class StaffJourneyTests(BrowserJourneys app)
{
    [Fact]
    public async Task A_contact_centre_agent_records_a_paper_form_and_it_reaches_RabbitMQ_from_the_day_it_was_signed()
    {
        var nhs = TestPatients.NewNhsNumber();
        var signed = DateTime.UtcNow.Date.AddDays(-3);
        await using var queue = await ChangeSubscriber.BindAsync(app.Servers.RabbitMq, "OptOut.Contracts.V1:NationalDataOptOutChanged");
        var page = await app.NewPageAsync();
        await page.GotoAsync(new Uri(app.Web, "/Staff/Record").ToString());
        await Journeys.SignInAsync(page, "contact-centre");
        // Staff pages are a service of their own, not the patients'.
        await Assertions.Expect(page.Locator(".nhsuk-header__service-name")).ToHaveTextAsync("Manage patients' data choices");
        await Assertions.Expect(page).ToHaveTitleAsync(new System.Text.RegularExpressions.Regex("- Manage patients' data choices - NHS$"));
        await Journeys.AssertAccessibleAsync(page, "staff-record");

        // A missing number is asked for, not called invalid.
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await Assertions.Expect(page.Locator(".nhsuk-error-summary")).ToContainTextAsync("Enter the patient's NHS number");
        await Assertions.Expect(page.Locator(".nhsuk-error-summary")).ToContainTextAsync("Enter the patient's date of birth");
        await Assertions.Expect(page.Locator(".nhsuk-error-summary")).Not.ToContainTextAsync("is required");

        await page.GetByLabel("Patient's NHS number").FillAsync("943 476 5918");
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await Assertions.Expect(page.Locator(".nhsuk-error-summary")).ToContainTextAsync("check digit");
        await Assertions.Expect(page.Locator(".nhsuk-error-summary")).ToContainTextAsync("Select the patient's choice");
        await Journeys.AssertAccessibleAsync(page, "staff-record-errors");

        await page.GetByLabel("Patient's NHS number").FillAsync($"{nhs[..3]} {nhs[3..6]} {nhs[6..]}");
        await Journeys.FillDateAsync(page, "patient-born", TestPatients.AdultBorn);
        await page.GetByLabel("Opt out: do not use").CheckAsync();
        await page.GetByLabel("Paper form, by post").CheckAsync();
        await page.Locator("#signed-day").FillAsync(signed.Day.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.Locator("#signed-month").FillAsync(signed.Month.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.Locator("#signed-year").FillAsync(signed.Year.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByLabel("The patient", new() { Exact = true }).CheckAsync();
        await page.GetByLabel("Case reference (optional)").FillAsync("CASE-2026-0042");
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("15 June 1980");
        await Journeys.AssertAccessibleAsync(page, "staff-check");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record this choice" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "The choice has been recorded" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("The record now shows the patient opted out of research and planning");
        var reference = await page.Locator(".nhsuk-panel strong").InnerTextAsync();
        await Journeys.AssertAccessibleAsync(page, "staff-done");
        // The same page, with a reference the record does not hold, says nothing was recorded.
        await page.GotoAsync(new Uri(app.Web, $"/Staff/Record/Done?reference=FAKE-0000&nhsNumber={nhs}").ToString());
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Nothing was recorded");
        await page.GoBackAsync();

        var message = Assert.Single(await queue.WaitForAsync(m => m.NhsNumber == nhs, 1, TimeSpan.FromSeconds(30)));
        Assert.Equal(("paper", true), (message.Message.GetProperty("channel").GetString(), message.OptedOut));
        // The message carries the reference the patient was given, so a consumer can quote it back.
        Assert.Equal(reference, message.Message.GetProperty("reference").GetString());
        Assert.Equal(signed, message.Message.GetProperty("effectiveAt").GetDateTimeOffset().UtcDateTime);
        var preferences = await app.Api.As("dpo").GetAsync($"/v1/patients/{nhs}/history").JsonAsync();
        var decidedBy = preferences.GetProperty("decisions")[0].GetProperty("decidedBy");
        Assert.Equal(("patient", "contact-centre", "CASE-2026-0042"),
            (decidedBy.GetProperty("capacity").GetString(), decidedBy.GetProperty("recordedBy").GetString(), decidedBy.GetProperty("caseReference").GetString()));
    }

    [Fact]
    public async Task A_number_England_does_not_issue_is_refused_at_the_check_and_the_way_on_is_to_change_it()
    {
        var page = await app.NewPageAsync();
        await page.GotoAsync(new Uri(app.Web, "/Staff/Record").ToString());
        await Journeys.SignInAsync(page, "contact-centre");

        // A Scottish CHI number passes the check digit, so the form takes it; the API, which holds the policy, refuses it.
        await page.GetByLabel("Patient's NHS number").FillAsync("010 199 1231");
        await Journeys.FillDateAsync(page, "patient-born", TestPatients.AdultBorn);
        await page.GetByLabel("Opt out: do not use").CheckAsync();
        await page.GetByLabel("Phone call").CheckAsync();
        await page.GetByLabel("The patient", new() { Exact = true }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Record this choice" }).ClickAsync();

        var summary = page.Locator(".nhsuk-error-summary");
        await Assertions.Expect(summary).ToContainTextAsync("The choice was not recorded. The NHS number 010 199 1231 passes the check digit, but England, Wales and the Isle of Man do not issue numbers in its range");
        await Assertions.Expect(summary.GetByRole(AriaRole.Link)).ToHaveTextAsync("Change the details");
        await Journeys.AssertAccessibleAsync(page, "staff-number-not-issued");
        await summary.GetByRole(AriaRole.Link).ClickAsync();
        await Assertions.Expect(page.GetByLabel("Patient's NHS number")).ToHaveValueAsync("0101991231");
        // Everything entered comes back to correct, the date of birth included.
        await Assertions.Expect(page.Locator("#patient-born-year")).ToHaveValueAsync(TestPatients.AdultBorn.Year.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_parents_choice_for_a_child_who_is_13_is_refused_with_the_way_on()
    {
        var page = await app.NewPageAsync();
        await page.GotoAsync(new Uri(app.Web, "/Staff/Record").ToString());
        await Journeys.SignInAsync(page, "contact-centre");
        await page.GetByLabel("Patient's NHS number").FillAsync(TestPatients.NewNhsNumber());
        await page.GetByLabel("Opt out: do not use").CheckAsync();
        await page.GetByLabel("Phone call").CheckAsync();
        await page.GetByLabel("Someone acting for the patient").CheckAsync();
        await page.GetByLabel("Parent or guardian of a child under 13").CheckAsync();
        await page.GetByLabel("If someone acted for the patient: reference of the evidence of their authority").FillAsync("BIRTH-CERT-7");

        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await Assertions.Expect(page.Locator(".nhsuk-error-summary")).ToContainTextAsync("Enter the patient's date of birth");

        var thirteen = DateOnly.FromDateTime(DateTime.UtcNow).AddYears(-13).AddDays(-1);
        await Journeys.FillDateAsync(page, "patient-born", thirteen);
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("Date of birth");
        await page.GetByRole(AriaRole.Button, new() { Name = "Record this choice" }).ClickAsync();

        await Assertions.Expect(page.Locator(".nhsuk-error-summary")).ToContainTextAsync("The patient is 13 or older: parental responsibility no longer lets a guardian decide for them.");
        await Journeys.AssertAccessibleAsync(page, "staff-guardian-too-late");
    }

    [Fact]
    public async Task A_patient_cannot_open_a_staff_page()
    {
        var page = await app.NewPageAsync();
        await page.GotoAsync(new Uri(app.Web, "/Choices").ToString());
        await Journeys.SignInAsync(page, "adult-patient");

        await Assertions.Expect(page.Locator(".nhsuk-header__service-name")).ToHaveTextAsync("Your health data choices");
        var refused = await page.GotoAsync(new Uri(app.Web, "/Staff/Record").ToString());

        // A refusal is a 403 at the address asked for, never a redirect to a page that answers 200.
        Assert.Equal(403, refused!.Status);
        Assert.EndsWith("/Staff/Record", page.Url, StringComparison.Ordinal);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("You cannot see this page");
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("This page is for NHS staff");
        await Assertions.Expect(page.GetByLabel("Patient's NHS number")).ToHaveCountAsync(0);
        await Journeys.AssertAccessibleAsync(page, "staff-refused");
    }
}
