using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.Audit;

/// <summary>The whole re-verification as a data-protection officer asks for it, and what the tamper tests assert of it.</summary>
internal static class Verification
{
    public static async Task<JsonElement> RunAsync(OptOutService service) =>
        await service.As("dpo").GetFromJsonAsync<JsonElement>("/v1/audit/verification");

    public static async Task<JsonElement> AssertIntactAsync(OptOutService service)
    {
        var report = await RunAsync(service);
        Assert.True(report.GetProperty("intact").GetBoolean(), report.ToString());
        return report;
    }

    /// <summary>The store is reported broken, and the first break says <paramref name="problem"/>.</summary>
    public static void AssertBroken(JsonElement report, string problem)
    {
        Assert.False(report.GetProperty("intact").GetBoolean(), report.ToString());
        Assert.Contains(problem, report.GetProperty("firstMismatch").GetProperty("problem").GetString(), StringComparison.Ordinal);
    }

    /// <summary>SQL as a database superuser runs it, outside the service; returns the rows it changed.</summary>
    public static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteNonQueryAsync();
    }
}
