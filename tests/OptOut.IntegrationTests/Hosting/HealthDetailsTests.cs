using System.Net;
using OptOut.IntegrationTests.Faults;

namespace OptOut.IntegrationTests.Hosting;

/// <summary>Readiness answers anyone, so where the operators have not asked for details it names no internal address.</summary>
public class HealthDetailsTests
{
    [Fact]
    public async Task Readiness_without_details_says_each_check_is_healthy_and_names_no_server()
    {
        await using var scenario = await FaultScenario.CreateAsync();
        var service = await scenario.StartServiceAsync(overrides: new Dictionary<string, string> { ["Health:Details"] = "false" });

        var ready = await service.Client().GetAsync("/health/ready");
        var body = await ready.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var checks = System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("checks");
        Assert.Equal("Healthy", checks.GetProperty("postgresql").GetProperty("status").GetString());
        Assert.False(checks.GetProperty("postgresql").TryGetProperty("Description", out _), body);
        Assert.DoesNotContain("127.0.0.1", body, StringComparison.Ordinal);
    }
}
