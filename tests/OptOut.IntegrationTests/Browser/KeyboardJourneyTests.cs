using Microsoft.Playwright;
using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.Browser;

/// <summary>
/// A person who uses only the keyboard (Tab to move, the arrow keys within a group of radios, Space to choose or press):
/// they sign in and opt out, and when they miss the question the error summary takes focus, so it is the first thing
/// they hear; without JavaScript too.
/// </summary>
[Collection(BrowserGroup.Name)]
public class KeyboardJourneyTests(BrowserJourneys app)
{
    [Fact]
    public async Task A_keyboard_only_patient_signs_in_meets_the_error_summary_first_and_opts_out()
    {
        var page = await app.NewPageAsync();
        await page.GotoAsync(new Uri(app.Web, "/Choices/NationalDataOptOut").ToString());

        await SignInAsync(page, "keyboard-patient");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("research and planning");

        // Continue without an answer: the error summary has focus when the page loads.
        await PressAsync(page, "main button[type=submit]");
        await Assertions.Expect(page.Locator(".nhsuk-error-summary")).ToBeFocusedAsync();

        await TabToAsync(page, "input[name=Answer]");
        await page.Keyboard.PressAsync("ArrowDown");
        await Assertions.Expect(page.Locator("#answer-opt-out")).ToBeCheckedAsync();
        await PressAsync(page, "main button[type=submit]");
        await PressAsync(page, "#confirm");

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your choice has been saved" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("You chose: No, I do not allow");
    }

    [Fact]
    public async Task A_keyboard_only_patient_answers_a_consent_question()
    {
        var page = await app.NewPageAsync();
        await page.GotoAsync(new Uri(app.Web, "/Choices/Consent/wearable-data-sharing").ToString());
        await SignInAsync(page, "keyboard-patient");

        await TabToAsync(page, "input[name=Decision]");
        await page.Keyboard.PressAsync("Space");
        await Assertions.Expect(page.Locator("#decision-permit")).ToBeCheckedAsync();
        await PressAsync(page, "main button[type=submit]");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Check your answer");
        await PressAsync(page, "#confirm");

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your answer has been saved" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("main")).ToContainTextAsync("You chose: Yes, I allow this");
    }

    [Fact]
    public async Task A_keyboard_only_agent_records_a_choice_made_by_phone()
    {
        var nhs = TestPatients.NewNhsNumber();
        var page = await app.NewPageAsync();
        await page.GotoAsync(new Uri(app.Web, "/Staff/Record").ToString());
        await SignInAsync(page, "contact-centre");

        await TabToAsync(page, "#nhs-number");
        await page.Keyboard.TypeAsync(nhs);
        await TabToAsync(page, "#patient-born-day");
        await page.Keyboard.TypeAsync("15");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("6");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("1980");
        await TabToAsync(page, "input[name='Form.Choice']");
        await page.Keyboard.PressAsync("Space");
        await TabToAsync(page, "input[name='Form.Channel']");
        // Down the group to the phone call: the arrow keys move within radios and choose as they go.
        await page.Keyboard.PressAsync("ArrowDown");
        await TabToAsync(page, "input[name='Form.DecidedBy']");
        await page.Keyboard.PressAsync("Space");
        await Assertions.Expect(page.Locator("#choice-opt-out")).ToBeCheckedAsync();
        await Assertions.Expect(page.Locator("#channel-call-centre")).ToBeCheckedAsync();
        await Assertions.Expect(page.Locator("#decided-by-patient")).ToBeCheckedAsync();
        await PressAsync(page, "main button[type=submit]");
        await PressAsync(page, "#confirm");

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "The choice has been recorded" })).ToBeVisibleAsync();
        var preferences = await app.Api.As("dpo").GetAsync($"/v1/patients/{nhs}/preferences").JsonAsync();
        Assert.True(preferences.GetProperty("nationalDataOptOut").GetProperty("optedOut").GetBoolean());
    }

    [Fact]
    public async Task Without_JavaScript_the_error_summary_still_takes_focus()
    {
        var context = await app.Browser.NewContextAsync(new BrowserNewContextOptions { JavaScriptEnabled = false });
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(app.Web, "/Choices/NationalDataOptOut").ToString());
        await Journeys.SignInAsync(page, "teenage-patient");

        await PressAsync(page, "main button[type=submit]");

        await Assertions.Expect(page.Locator(".nhsuk-error-summary")).ToBeFocusedAsync();
        await context.CloseAsync();
    }

    /// <summary>The sign-in service's radios: Tab into the group, then the arrow keys down to this person, then Space on Sign in.</summary>
    private static async Task SignInAsync(IPage page, string identity)
    {
        await TabToAsync(page, "input[name=identity]");
        for (var i = 0; i < 20 && await page.EvaluateAsync<string>("document.activeElement.id") != $"identity-{identity}"; i++)
        {
            await page.Keyboard.PressAsync("ArrowDown");
        }

        Assert.Equal($"identity-{identity}", await page.EvaluateAsync<string>("document.activeElement.id"));
        await PressAsync(page, "button[type=submit]");
    }

    /// <summary>Tab until the element matching <paramref name="selector"/> has focus (never a click).</summary>
    private static async Task TabToAsync(IPage page, string selector)
    {
        for (var i = 0; i < 60; i++)
        {
            if (await page.EvaluateAsync<bool>("s => document.activeElement?.matches(s) ?? false", selector))
            {
                return;
            }

            await page.Keyboard.PressAsync("Tab");
        }

        Assert.Fail($"Tab never reached {selector}");
    }

    /// <summary>Tab to a form's button, then press it with Space, and wait for the page it leads to.</summary>
    private static async Task PressAsync(IPage page, string selector)
    {
        await TabToAsync(page, selector);
        await page.EvaluateAsync("() => window.optoutBefore = true");
        await page.Keyboard.PressAsync("Space");
        // A new document has no mark; until it has loaded, asking may meet the old one going away.
        for (var i = 0; i < 100; i++)
        {
            try
            {
                if (await page.EvaluateAsync<bool>("() => !window.optoutBefore && document.readyState === 'complete'"))
                {
                    return;
                }
            }
            catch (PlaywrightException)
            {
                // The page navigated while it was asked.
            }

            await Task.Delay(100);
        }

        Assert.Fail($"Pressing {selector} led nowhere");
    }
}
