using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.Operations;

/// <summary>What staff see of the service's own work: bulk checks run, proxy authorities about to end, imports and their rejected rows.</summary>
[Collection(OptOutServiceGroup.Name)]
public class OperationalViewsTests(OptOutService service)
{
    [Fact]
    public async Task Bulk_checks_are_listed_newest_first_with_their_counts_and_the_lists_SHA_256()
    {
        var list = $"{TestPatients.NewNhsNumber()}\n{TestPatients.NewNhsNumber()}\n1234567890\n";
        var older = await CheckAsync(list);
        var newer = await CheckAsync(list);

        var page = await service.As("dpo").GetAsync("/v1/opt-out-checks?limit=1").JsonAsync();
        var first = Assert.Single(page.GetProperty("checks").EnumerateArray());
        Assert.Equal(newer, first.GetProperty("id").GetString());
        Assert.Equal((3L, 2L, 1L), (first.GetProperty("received").GetInt64(), first.GetProperty("kept").GetInt64(), first.GetProperty("invalid").GetInt64()));
        Assert.Equal(Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(list))), first.GetProperty("submittedSha256").GetString());
        Assert.Equal("research", first.GetProperty("purpose").GetString());

        var next = await service.As("admin").GetAsync($"/v1/opt-out-checks?limit=1&before={page.GetProperty("before").GetString()}").JsonAsync();
        Assert.Equal(older, next.GetProperty("checks")[0].GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await service.As("pipeline").GetAsync("/v1/opt-out-checks")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await service.As("dpo").GetAsync("/v1/opt-out-checks?before=yesterday")).StatusCode);
    }

    [Fact]
    public async Task Authorities_ending_in_the_next_30_days_are_listed_soonest_first_and_revoked_ones_are_not()
    {
        var (turning13, dated, later, revoked) = (TestPatients.NewNhsNumber(), TestPatients.NewNhsNumber(), TestPatients.NewNhsNumber(), TestPatients.NewNhsNumber());
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var admin = service.As("admin");
        await admin.SendJsonAsync(HttpMethod.Post, $"/v1/patients/{turning13}/proxies",
            new { proxyId = $"parent-{turning13}", role = "guardian", evidenceReference = "BC-1", patientBirthDate = today.AddYears(-13).AddDays(20) }).JsonAsync();
        await admin.SendJsonAsync(HttpMethod.Post, $"/v1/patients/{dated}/proxies",
            new { proxyId = $"deputy-{dated}", role = "court-deputy", evidenceReference = "COP-1", validUntil = DateTimeOffset.UtcNow.AddDays(5) }).JsonAsync();
        await admin.SendJsonAsync(HttpMethod.Post, $"/v1/patients/{later}/proxies",
            new { proxyId = $"deputy-{later}", role = "court-deputy", evidenceReference = "COP-2", validUntil = DateTimeOffset.UtcNow.AddDays(60) }).JsonAsync();
        await admin.SendJsonAsync(HttpMethod.Post, $"/v1/patients/{revoked}/proxies",
            new { proxyId = $"deputy-{revoked}", role = "court-deputy", evidenceReference = "COP-3", validUntil = DateTimeOffset.UtcNow.AddDays(10) }).JsonAsync();
        Assert.True((await admin.DeleteAsync($"/v1/patients/{revoked}/proxies/deputy-{revoked}")).IsSuccessStatusCode);

        var ending = (await service.As("dpo").GetAsync("/v1/proxies/ending").JsonAsync()).GetProperty("authorities").EnumerateArray()
            .Select(a => a.GetProperty("nhsNumber").GetString()).ToList();

        Assert.Equal([dated, turning13], ending.Where(n => n == dated || n == turning13));
        Assert.DoesNotContain(later, ending);
        Assert.DoesNotContain(revoked, ending);
        Assert.Equal(HttpStatusCode.BadRequest, (await service.As("dpo").GetAsync("/v1/proxies/ending?days=0")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await service.As("patient", turning13).GetAsync("/v1/proxies/ending")).StatusCode);
    }

    [Fact]
    public async Task An_import_is_kept_with_the_files_SHA_256_and_its_rejected_rows()
    {
        var csv = $"nhsNumber,optedOutAt\n{TestPatients.NewNhsNumber()},2021-06-01\n9434765918,2021-06-01\n{TestPatients.NewNhsNumber()},not-a-date\n";
        var report = await service.As("admin").PostAsync("/v1/admin/opt-out-imports", new StringContent(csv, Encoding.UTF8, "text/csv")).JsonAsync();
        var id = report.GetProperty("id").GetString();

        var listed = (await service.As("dpo").GetAsync("/v1/admin/opt-out-imports").JsonAsync()).EnumerateArray().First();
        var run = await service.As("dpo").GetAsync($"/v1/admin/opt-out-imports/{id}").JsonAsync();

        Assert.Equal(id, listed.GetProperty("id").GetString());
        Assert.Equal(("completed", 3L, 1L, 2L), (run.GetProperty("status").GetString(), run.GetProperty("received").GetInt64(), run.GetProperty("imported").GetInt64(), run.GetProperty("invalid").GetInt64()));
        Assert.Equal(Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(csv))), run.GetProperty("fileSha256").GetString());
        var rejected = run.GetProperty("rejected").EnumerateArray().ToList();
        Assert.Equal([3L, 4L], rejected.Select(r => r.GetProperty("line").GetInt64()));
        Assert.Contains("check digit", rejected[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await service.As("dpo").GetAsync($"/v1/admin/opt-out-imports/{Guid.NewGuid()}")).StatusCode);
    }

    private async Task<string> CheckAsync(string list)
    {
        var response = await service.As("pipeline").PostAsync("/v1/opt-out-checks?purpose=research&dataSource=gp", new StringContent(list, Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Headers.GetValues("X-Check-Id").Single();
    }
}
