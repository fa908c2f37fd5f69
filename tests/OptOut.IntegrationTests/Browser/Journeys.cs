using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace OptOut.IntegrationTests.Browser;

/// <summary>Steps every browser journey shares.</summary>
public static class Journeys
{
    /// <summary>Through the local provider's sign-in page, as a person would.</summary>
    /// <summary>Fill an NHS date input (three fields: day, month, year) whose ids start with <paramref name="id"/>.</summary>
    public static async Task FillDateAsync(IPage page, string id, DateOnly date)
    {
        await page.Locator($"#{id}-day").FillAsync(date.Day.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.Locator($"#{id}-month").FillAsync(date.Month.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.Locator($"#{id}-year").FillAsync(date.Year.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public static async Task SignInAsync(IPage page, string identity)
    {
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in with a test identity" })).ToBeVisibleAsync();
        await page.Locator($"#identity-{identity}").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/signin", StringComparison.Ordinal) && !url.Contains("/connect/", StringComparison.Ordinal));
    }

    /// <summary>axe-core (WCAG 2.2 AA and best practice) finds nothing; a screenshot is kept for the README when asked.</summary>
    public static async Task AssertAccessibleAsync(IPage page, string name)
    {
        var result = await page.RunAxe();
        Assert.True(result.Violations.Length == 0, $"{name}: " + string.Join("; ", result.Violations.Select(v => $"{v.Id}: {v.Help} ({v.Nodes.Length})")));
        if (Environment.GetEnvironmentVariable("OPTOUT_SCREENSHOTS") is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
            await page.ScreenshotAsync(new() { Path = Path.Combine(folder, name + ".png"), FullPage = true });
        }
    }
}
