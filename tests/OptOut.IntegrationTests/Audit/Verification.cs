using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.Audit;

/// <summary>The whole re-verification as a data-protection officer asks for it, and what the tamper tests assert of it.</summary>
internal static class Verification
{
    /// <summary>"Verify now": a run started in the API's background, followed until it completes; its result.</summary>
    public static async Task<JsonElement> RunAsync(OptOutService service)
    {
        var run = await FinishedAsync(service.As("dpo"), await BeginAsync(service.As("dpo")));
        Assert.True(run.GetProperty("status").GetString() == "completed", run.ToString());
        return run.GetProperty("result");
    }

    /// <summary>POST /v1/audit/verifications: 202, with the run at its Location.</summary>
    public static async Task<JsonElement> BeginAsync(HttpClient dpo)
    {
        using var response = await dpo.PostAsync("/v1/audit/verifications", null);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var run = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal($"/v1/audit/verifications/{run.GetProperty("id").GetString()}", response.Headers.Location?.ToString());
        return run;
    }

    /// <summary>The run, read until it is no longer running.</summary>
    public static async Task<JsonElement> FinishedAsync(HttpClient dpo, JsonElement run)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(60); run.GetProperty("status").GetString() == "running" && DateTime.UtcNow < deadline; await Task.Delay(100))
        {
            run = await dpo.GetFromJsonAsync<JsonElement>($"/v1/audit/verifications/{run.GetProperty("id").GetString()}");
        }

        return run;
    }

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

    /// <summary>
    /// A superuser's exclusive lock on the records' snapshots, held until the connection is disposed (which rolls its
    /// transaction back): a verification waits there, after it has read the trail, and so stays running meanwhile.
    /// </summary>
    public static async Task<NpgsqlConnection> HoldSnapshotsAsync(string connectionString)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await connection.BeginTransactionAsync();
        await ExecuteAsync(connection, "lock table optout.mt_doc_patientpreferences in access exclusive mode");
        return connection;
    }

    /// <summary>SQL as a database superuser runs it, outside the service; returns the rows it changed.</summary>
    public static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteNonQueryAsync();
    }
}
