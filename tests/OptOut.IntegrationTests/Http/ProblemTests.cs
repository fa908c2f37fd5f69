using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.Http;

/// <summary>Every refusal is a problem a client can act on, names a request id, and is in the audit trail.</summary>
[Collection(OptOutServiceGroup.Name)]
public class ProblemTests(OptOutService service)
{
    public static TheoryData<string, string, string?, string, HttpStatusCode, string> Refusals => new()
    {
        { "malformed JSON", "PUT", """{"optedOut": tru""", "application/json", HttpStatusCode.BadRequest, "/problems/unreadable-body" },
        { "wrong media type", "PUT", "optedOut=true", "text/plain", HttpStatusCode.UnsupportedMediaType, "/problems/unsupported-media-type" },
        { "unknown property", "PUT", """{"optedOut":true,"channel":"online","admin":true}""", "application/json", HttpStatusCode.BadRequest, "/problems/invalid-body" },
        { "wrong type", "PUT", """{"optedOut":"yes","channel":"online"}""", "application/json", HttpStatusCode.BadRequest, "/problems/invalid-body" },
        { "missing body", "PUT", null, "application/json", HttpStatusCode.BadRequest, "/problems/unreadable-body" },
        { "bad channel", "PUT", """{"optedOut":true,"channel":"fax"}""", "application/json", HttpStatusCode.BadRequest, "/problems/invalid-body" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_refused_write_is_a_typed_problem_with_a_detail_a_request_id_and_an_audit_entry(
        string what, string method, string? body, string mediaType, HttpStatusCode status, string type)
    {
        var nhs = TestPatients.NewNhsNumber();
        var request = new HttpRequestMessage(new HttpMethod(method), $"/v1/patients/{nhs}/national-data-opt-out");
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, mediaType);
        }

        var response = await service.As("patient", nhs).SendAsync(request);

        var problem = await AssertProblemAsync(response, status, type);
        Assert.True(problem.TryGetProperty("detail", out _), what);
        Assert.Equal(status, (HttpStatusCode)await OutcomeAsync(response));
        Assert.Equal(0, await service.EventCountAsync(nhs));
    }

    [Fact]
    public async Task Refusals_by_the_framework_have_a_type_and_a_detail_too()
    {
        var nhs = TestPatients.NewNhsNumber();
        await AssertProblemAsync(await service.WithToken(null).GetAsync($"/v1/opt-outs/{nhs}"), HttpStatusCode.Unauthorized, "/problems/unauthenticated");
        await AssertProblemAsync(await service.As("patient", nhs).GetAsync($"/v1/opt-outs/{nhs}"), HttpStatusCode.Forbidden, "/problems/forbidden");
        await AssertProblemAsync(await service.As("pipeline").GetAsync($"/v1/opt-outs/{nhs}?minSequence=abc"), HttpStatusCode.BadRequest, "/problems/invalid-query");
        await AssertProblemAsync(await service.As("pipeline").GetAsync($"/v1/no-such-thing"), HttpStatusCode.NotFound, "/problems/not-found");
        // 413 needs real Kestrel, so Security/LimitsTests checks its problem.
    }

    [Fact]
    public async Task Every_problem_type_is_documented_at_its_own_address()
    {
        var all = await service.WithToken(null).GetFromJsonAsync<JsonElement>("/problems");

        Assert.True(all.GetArrayLength() >= 20);
        foreach (var kind in all.EnumerateArray())
        {
            var one = await service.WithToken(null).GetFromJsonAsync<JsonElement>(kind.GetProperty("type").GetString());
            Assert.Equal(kind.GetProperty("status").GetInt32(), one.GetProperty("status").GetInt32());
            Assert.False(string.IsNullOrWhiteSpace(one.GetProperty("description").GetString()));
        }

        Assert.Equal(all.GetArrayLength(), all.EnumerateArray().Select(k => k.GetProperty("type").GetString()).Distinct().Count());
    }

    /// <summary>The problem has the type, a detail, a request id, and no .NET type or framework wording.</summary>
    internal static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.Contains("X-Request-Id"), "no X-Request-Id");
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal(type, problem.GetProperty("type").GetString());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()), text);
        foreach (var leak in new[] { "System.", "Nullable", "Int64", "Boolean", "OptOut.", ".NET", "Implicit body", "inferred" })
        {
            Assert.DoesNotContain(leak, text, StringComparison.Ordinal);
        }

        return problem;
    }

    private async Task<int> OutcomeAsync(HttpResponseMessage response)
    {
        var requestId = response.Headers.GetValues("X-Request-Id").Single();
        await using var connection = new NpgsqlConnection(service.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select outcome from optout.audit_entries where request_id = @id", connection);
        command.Parameters.AddWithValue("id", requestId);
        var outcome = await command.ExecuteScalarAsync();
        Assert.True(outcome is not null, $"request {requestId} is not in the audit trail");
        return (int)outcome;
    }
}
