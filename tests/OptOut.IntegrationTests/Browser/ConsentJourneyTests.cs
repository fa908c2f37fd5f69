using Microsoft.Playwright;
using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.Browser;

/// <summary>Consents in a real browser: granted with an end date, corrected, and ending by themselves when their period ends.</summary>
[Collection(BrowserGroup.Name)]
public class ConsentJourneyTests(BrowserJourneys app)
{
    [Fact]
    public async Task A_patient_allows_wearable_data_sharing_until_a_day_after_correcting_a_date_that_does_not_exist()
    {
        var page = await app.NewPageAsync();
        await page.GotoAsync(new Uri(app.Web, "/Choices").ToString());
        await Journeys.SignInAsync(page, "second-adult-patient");
        await page.GetByRole(AriaRole.Link, new() { Name = "Change your answer about Sharing data from a wearable device with your GP" }).ClickAsync();
        await Journeys.AssertAccessibleAsync(page, "consent-question");

        await page.GetByLabel("Yes, I allow this").CheckAsync();
        await page.GetByLabel("Day").FillAsync("31");
        await page.GetByLabel("Month").FillAsync("2");
        await page.GetByLabel("Year").FillAsync("2031");
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await Assertions.Expect(page.Locator(".nhsuk-error-summary")).ToContainTextAsync("Enter a real date");
        await Journeys.AssertAccessibleAsync(page, "consent-question-error");

        await page.GetByLabel("Day").FillAsync("28");
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("Yes, I allow this until 28 February 2031");
        await Journeys.AssertAccessibleAsync(page, "consent-check");
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm your answer" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your answer has been saved" })).ToBeVisibleAsync();
        // The answer and its last day as the record holds them, not as the address says.
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("You chose: Yes, I allow this until 28 February 2031");
        Assert.DoesNotContain("until=", page.Url, StringComparison.Ordinal);
        await Journeys.AssertAccessibleAsync(page, "consent-saved");

        await page.GetByRole(AriaRole.Link, new() { Name = "Go back to your data choices" }).ClickAsync();
        await Assertions.Expect(page.Locator("#consent-wearable-data-sharing")).ToHaveTextAsync("You allowed this until 28 February 2031");
        var decision = await app.Api.As("pipeline").GetAsync("/v1/decisions/9876543210?purpose=wearable-data-sharing&dataSource=gp").JsonAsync();
        Assert.Equal("permit", decision.GetProperty("decision").GetString());
    }

    [Fact]
    public async Task A_consent_for_research_that_goes_against_the_opt_out_choice_is_shown_beside_it()
    {
        // Given through the API (a contact centre or another client): the pages offer no research consent, but show it.
        const string patient = "4857773465";
        var api = app.Api.Client(app.Settings.Token("patient", patient, subject: "keyboard-patient"));
        await api.PutOptOutAsync(patient, new { optedOut = true, channel = "nhs-app" }).JsonAsync();
        await api.SendJsonAsync(HttpMethod.Put, $"/v1/patients/{patient}/consents/research",
            new { decision = "permit", period = new { end = new DateTimeOffset(2031, 3, 1, 0, 0, 0, TimeSpan.Zero) } }).JsonAsync();
        var page = await app.NewPageAsync();
        await page.GotoAsync(new Uri(app.Web, "/Choices").ToString());
        await Journeys.SignInAsync(page, "keyboard-patient");

        await Assertions.Expect(page.Locator("#national-data-opt-out")).ToContainTextAsync("is not used for research and planning");
        await Assertions.Expect(page.Locator("#explicit-consent-research")).ToHaveTextAsync(
            "But you gave explicit consent for research until 28 February 2031, so your information can be used for it: consent for a use goes ahead even though you opted out.");
        var decision = await app.Api.As("pipeline").GetAsync($"/v1/decisions/{patient}?purpose=research&dataSource=gp").JsonAsync();
        Assert.Equal("permit", decision.GetProperty("decision").GetString());
        await Journeys.AssertAccessibleAsync(page, "choices-explicit-consent");

        // Withdrawn, the page says no more than the opt-out.
        await api.DeleteAsync($"/v1/patients/{patient}/consents/research");
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#explicit-consent-research")).ToHaveCountAsync(0);

        // The other way round: no opt-out, but consent for research refused. The page does not say only "can be used".
        await api.PutOptOutAsync(patient, new { optedOut = false, channel = "nhs-app" }).JsonAsync();
        await api.SendJsonAsync(HttpMethod.Put, $"/v1/patients/{patient}/consents/research", new { decision = "deny" }).JsonAsync();
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#national-data-opt-out")).ToContainTextAsync("can be used for research and planning");
        await Assertions.Expect(page.Locator("#refused-consent-research")).ToHaveTextAsync("But you refused consent for research, so your information is not used for it.");
        var refusedDecision = await app.Api.As("pipeline").GetAsync($"/v1/decisions/{patient}?purpose=research&dataSource=gp").JsonAsync();
        Assert.Equal("deny", refusedDecision.GetProperty("decision").GetString());
        await Journeys.AssertAccessibleAsync(page, "choices-refused-consent");
        // The history names what each consent was for, not only that one was given or refused.
        await page.GotoAsync(new Uri(app.Web, "/Choices/History").ToString());
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("Gave consent for research");
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("Withdrew the answer about research");
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("Refused consent for research");
        // And it does not tell a patient who has not opted out that long lists keep their number regardless.
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("and from lists for a use you have refused consent for");

        // Left as the other journeys of this patient expect it: opted out, no consent.
        await api.DeleteAsync($"/v1/patients/{patient}/consents/research");
        await api.PutOptOutAsync(patient, new { optedOut = true, channel = "nhs-app" }).JsonAsync();
    }

    [Fact]
    public async Task A_consent_whose_period_ends_shows_as_ended_without_anyone_asking()
    {
        const string teenager = "4010232137";
        var api = app.Api.Client(app.Settings.Token("patient", teenager, subject: "teenage-patient", birthDate: DateOnly.FromDateTime(DateTime.UtcNow).AddYears(-15)));
        await api.SendJsonAsync(HttpMethod.Put, $"/v1/patients/{teenager}/consents/gp-record-access",
            new { decision = "permit", period = new { end = DateTimeOffset.UtcNow.AddSeconds(2) } }).JsonAsync();
        var page = await app.NewPageAsync();
        await page.GotoAsync(new Uri(app.Web, "/Choices").ToString());
        await Journeys.SignInAsync(page, "teenage-patient");

        // OptOut records ConsentExpired itself when the period ends; the page shows it once it has.
        for (var attempt = 0; attempt < 20 && !(await page.Locator("#consent-gp-record-access").InnerTextAsync()).StartsWith("Your answer ended", StringComparison.Ordinal); attempt++)
        {
            await Task.Delay(500);
            await page.ReloadAsync();
        }

        await Assertions.Expect(page.Locator("#consent-gp-record-access")).ToContainTextAsync("Your answer ended on");
        await Journeys.AssertAccessibleAsync(page, "choices-consent-ended");
    }

    [Fact]
    public async Task Signing_out_ends_the_session_here_and_at_the_sign_in_service()
    {
        var page = await app.NewPageAsync();
        await page.GotoAsync(new Uri(app.Web, "/Choices").ToString());
        await Journeys.SignInAsync(page, "adult-patient");

        // By keyboard alone: the sign-out button is reached with Tab and pressed with Enter.
        var signOut = page.GetByRole(AriaRole.Button, new() { Name = "Sign out" });
        for (var presses = 0; presses < 10 && !await signOut.EvaluateAsync<bool>("b => b === document.activeElement"); presses++)
        {
            await page.Keyboard.PressAsync("Tab");
        }

        // The session cookie is HttpOnly, SameSite and Secure.
        var session = (await page.Context.CookiesAsync()).Single(c => c.Name == "optout-session");
        Assert.Equal((true, true, SameSiteAttribute.Lax), (session.HttpOnly, session.Secure, session.SameSite));
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "You have signed out" })).ToBeVisibleAsync();
        await Journeys.AssertAccessibleAsync(page, "signed-out");
        await page.GotoAsync(new Uri(app.Web, "/Choices").ToString());
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in with a test identity" })).ToBeVisibleAsync();
    }
}
