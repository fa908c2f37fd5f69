using System.Text;
using Microsoft.Playwright;
using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.Browser;

/// <summary>Service activity in a real browser: a bulk check, an authority about to end and an import's rejected rows.</summary>
[Collection(BrowserGroup.Name)]
public class OperationsJourneyTests(BrowserJourneys app)
{
    [Fact]
    public async Task Staff_see_the_checks_run_the_authorities_ending_and_an_imports_rejected_rows()
    {
        var child = TestPatients.NewNhsNumber();
        await app.Api.As("admin").SendJsonAsync(HttpMethod.Post, $"/v1/patients/{child}/proxies", new
        {
            proxyId = $"parent-{child}", role = "guardian", evidenceReference = "BC-77",
            patientBirthDate = DateOnly.FromDateTime(DateTime.UtcNow).AddYears(-13).AddDays(9),
        }).JsonAsync();
        var check = await app.Api.As("pipeline").PostAsync("/v1/opt-out-checks?purpose=research&dataSource=gp",
            new StringContent($"{TestPatients.NewNhsNumber()}\n", Encoding.UTF8, "text/plain"));
        var checkId = check.Headers.GetValues("X-Check-Id").Single();
        var import = await app.Api.As("admin").PostAsync("/v1/admin/opt-out-imports",
            new StringContent($"nhsNumber,optedOutAt\n{TestPatients.NewNhsNumber()},2020-01-01\n943476591,2020-01-01\n", Encoding.UTF8, "text/csv")).JsonAsync();

        var page = await app.NewPageAsync(width: 320);
        await page.GotoAsync(new Uri(app.Web, "/Staff/Operations").ToString());
        await Journeys.SignInAsync(page, "contact-centre");
        await Journeys.AssertAccessibleAsync(page, "staff-operations");

        var sha256 = (await app.Api.As("dpo").GetAsync($"/v1/opt-out-checks/{checkId}").JsonAsync()).GetProperty("submittedSha256").GetString()!;
        await Assertions.Expect(page.Locator("table").First).ToContainTextAsync(sha256);
        await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = $"{child[..3]} {child[3..6]} {child[6..]}" }))
            .ToContainTextAsync("The child turns 13");

        await page.Locator($"a[href$='/Staff/Operations/Import/{import.GetProperty("id").GetString()}']").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Import of");
        await Assertions.Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "10 digits" })).ToContainTextAsync("3");
        await Journeys.AssertAccessibleAsync(page, "staff-import");
    }

    [Fact]
    public async Task A_patient_cannot_see_service_activity()
    {
        var page = await app.NewPageAsync();
        await page.GotoAsync(new Uri(app.Web, "/Staff/Operations").ToString());
        await Journeys.SignInAsync(page, "adult-patient");

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("You cannot see this page");
    }
}
