using Microsoft.Playwright;

namespace OptOut.IntegrationTests.Browser;

/// <summary>
/// At 320 px the page itself never scrolls sideways: a wide table scrolls inside its own labelled region. These are the
/// pages that were wider than the screen (the history about 375 px, the audit trail 630-755 px, a subject access
/// report about 610 px).
/// </summary>
[Collection(BrowserGroup.Name)]
public class NarrowScreenTests(BrowserJourneys app)
{
    [Fact]
    public async Task A_patients_history_fits_a_320_px_screen()
    {
        var page = await app.NewPageAsync(width: 320);
        await app.Api.As("pipeline", subject: "a-very-long-extract-pipeline-name-for-research").GetAsync("/v1/opt-outs/9434765919?purpose=research");
        await page.GotoAsync(new Uri(app.Web, "/Choices/History").ToString());
        await Journeys.SignInAsync(page, "adult-patient");

        await AssertFitsAsync(page);
    }

    [Fact]
    public async Task The_audit_trail_and_a_subject_access_report_fit_a_320_px_screen()
    {
        var page = await app.NewPageAsync(width: 320);
        await page.GotoAsync(new Uri(app.Web, "/Staff/Audit").ToString());
        await Journeys.SignInAsync(page, "dpo");
        await AssertFitsAsync(page);

        await page.GotoAsync(new Uri(app.Web, "/Staff/Audit/Subject?nhsNumber=9434765919").ToString());
        await AssertFitsAsync(page);
    }

    /// <summary>
    /// Every page each kind of user reaches, at 320 px: the width a 1280 px window has at 400% zoom, so one check covers
    /// both (WCAG 1.4.10 Reflow). Errors and refusals are pages too.
    /// </summary>
    [Theory]
    [InlineData(null, "/|/about|/accessibility|/statistics|/signed-out|/no-such-page")]
    [InlineData("adult-patient", "/Choices|/Choices/History|/Choices/NationalDataOptOut|/Choices/NationalDataOptOut/Check?answer=opt-out|/Choices/NationalDataOptOut/Confirmation?reference=FAKE-1234|/Choices/Consent/wearable-data-sharing|/Choices/Consent/wearable-data-sharing/check?decision=permit&until=2031-03-31|/Staff/Audit")]
    [InlineData("child-patient", "/Choices|/Choices/NationalDataOptOut")]
    [InlineData("parent", "/act-for")]
    [InlineData("contact-centre", "/Staff/Record|/Staff/Operations|/Staff/Record/Done?reference=FAKE-1234&nhsNumber=9434765919")]
    [InlineData("dpo", "/Staff/Audit?Query.Kind=change|/Staff/Audit/1|/Staff/Audit/Verify|/Staff/Audit/Subject|/Staff/Statistics|/Staff/Operations")]
    public async Task Every_page_fits_a_320_px_screen(string? identity, string paths)
    {
        var page = await app.NewPageAsync(width: 320);
        if (identity is not null)
        {
            await page.GotoAsync(new Uri(app.Web, "/Choices").ToString());
            await Journeys.SignInAsync(page, identity);
        }

        foreach (var path in paths.Split('|'))
        {
            await page.GotoAsync(new Uri(app.Web, path).ToString());
            await AssertFitsAsync(page);
        }
    }

    private static async Task AssertFitsAsync(IPage page)
    {
        await page.WaitForLoadStateAsync(LoadState.Load);
        var (content, screen) = (await page.EvaluateAsync<int>("document.documentElement.scrollWidth"), await page.EvaluateAsync<int>("window.innerWidth"));
        Assert.True(content <= screen, $"{page.Url} is {content} px wide at {screen} px");
    }
}
