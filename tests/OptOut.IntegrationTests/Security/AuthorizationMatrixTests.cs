using System.Net;
using System.Net.Http.Json;
using System.Text;
using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.Security;

/// <summary>
/// Walks every endpoint against every role, as docs/authorization.md tabulates it. A role the endpoint does not
/// admit gets 401 (no token) or 403 and changes nothing; an admitted role is never refused. The patient's token
/// names the record in the URL, so object-level checks pass for them; the proxy's authority is for nobody.
/// </summary>
[Collection(OptOutServiceGroup.Name)]
public class AuthorizationMatrixTests(OptOutService service)
{
    private static readonly string[] Roles = ["anonymous", "patient", "proxy", "pipeline", "practice", "dpo", "admin"];

    /// <summary>Method, path ({n} is the patient's NHS number), body, and the roles that may call it.</summary>
    public static TheoryData<string, string, string?, string> Matrix => new()
    {
        { "PUT", "/v1/patients/{n}/national-data-opt-out", """{"optedOut":true,"channel":"online"}""", "patient admin" },
        { "PUT", "/v1/patients/{n}/type-1-opt-out", """{"dissent":true,"practiceOdsCode":"A81001","code":"9Nu0"}""", "practice" },
        { "PUT", "/v1/patients/{n}/consents/research", """{"decision":"permit"}""", "patient" },
        { "DELETE", "/v1/patients/{n}/consents/research", null, "patient" },
        { "POST", "/v1/patients/{n}/proxies", """{"proxyId":"p-1","role":"power-of-attorney","evidenceReference":"LPA-1"}""", "admin" },
        { "DELETE", "/v1/patients/{n}/proxies/p-404", null, "admin" },
        { "POST", "/v1/patients/{n}/supersession", """{"newNhsNumber":"9434765919"}""", "admin" },
        { "GET", "/v1/patients/{n}/preferences", null, "patient dpo admin" },
        { "GET", "/v1/patients/{n}/choices", null, "patient dpo" },
        { "GET", "/v1/patients/{n}/history", null, "patient dpo" },
        { "GET", "/v1/patients/{n}/changes/7KQ4-M2XD", null, "patient dpo admin" },
        { "GET", "/v1/changes/7KQ4-M2XD", null, "dpo admin" },
        { "GET", "/v1/patients/{n}/audit", null, "dpo" },
        { "GET", "/v1/patients/{n}/access-log", null, "patient" },
        { "GET", "/v1/proxies/me/patients", null, "proxy" },
        { "GET", "/v1/catalogue/purposes", null, "patient proxy pipeline practice dpo admin" },
        { "GET", "/v1/opt-outs/{n}", null, "pipeline admin" },
        { "GET", "/v1/decisions/{n}?purpose=research&dataSource=gp", null, "pipeline dpo" },
        { "GET", "/fhir/r4/Consent?patient={n}", null, "patient pipeline dpo" },
        { "POST", "/v1/opt-out-checks?purpose=research&dataSource=gp", "text:{n}\n", "pipeline admin" },
        { "GET", "/v1/opt-out-changes", null, "pipeline admin" },
        { "POST", "/v1/admin/opt-out-imports", "csv:nhsNumber,optedOutAt\n", "admin" },
        { "GET", "/v1/audit", null, "dpo" },
        { "GET", "/v1/audit/verification", null, "dpo" },
        { "POST", "/v1/audit/verifications", null, "dpo" },
        { "GET", "/v1/audit/verifications", null, "dpo" },
        { "GET", "/v1/audit/public-key", null, "dpo" },
        { "GET", "/v1/audit/entries?kind=access", null, "dpo" },
        { "GET", "/v1/audit/entries/1", null, "dpo" },
        { "GET", "/v1/statistics", null, "dpo" },
        { "POST", "/v1/statistics/rebuild", null, "dpo" },
        { "GET", "/v1/statistics/national", null, "anonymous patient proxy pipeline practice dpo admin" },
        { "GET", "/v1/opt-out-checks", null, "dpo admin" },
        { "GET", "/v1/proxies/ending", null, "dpo admin" },
        { "GET", "/v1/admin/opt-out-imports", null, "dpo admin" },
        { "GET", "/v1/me", null, "patient proxy pipeline practice dpo admin" },
    };

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Every_role_gets_exactly_the_access_the_matrix_gives(string method, string path, string? body, string allowed)
    {
        foreach (var role in Roles)
        {
            var nhs = TestPatients.NewNhsNumber();
            var client = role == "anonymous" ? service.WithToken(null) : service.As(role, nhs, subject: $"matrix-{role}", odsCode: "A81001");
            var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{n}", nhs, StringComparison.Ordinal)) { Content = Content(body, nhs) };

            var response = await client.SendAsync(request);

            var admitted = allowed.Split(' ').Contains(role);
            if (admitted)
            {
                // Admitted means answered: neither refused nor failed (a 5xx here would hide a broken endpoint behind a passing matrix).
                Assert.True(response.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden) && (int)response.StatusCode < 500,
                    $"{role} was not answered {method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
            else
            {
                Assert.True(response.StatusCode == (role == "anonymous" ? HttpStatusCode.Unauthorized : HttpStatusCode.Forbidden),
                    $"{role} got {(int)response.StatusCode} for {method} {path}");
                // FHIR clients get their refusal as an OperationOutcome; everyone else as an RFC 9457 problem.
                Assert.Equal(path.StartsWith("/fhir", StringComparison.Ordinal) ? "application/fhir+json" : "application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.Equal(0, await service.EventCountAsync(nhs));
            }
        }
    }

    [Fact]
    public async Task Every_response_carries_the_security_headers()
    {
        var response = await service.As("pipeline").GetAsync($"/v1/opt-outs/{TestPatients.NewNhsNumber()}");
        var refused = await service.WithToken(null).GetAsync("/v1/audit");

        foreach (var r in new[] { response, refused })
        {
            Assert.Equal("nosniff", r.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("DENY", r.Headers.GetValues("X-Frame-Options").Single());
            Assert.Equal("no-store", r.Headers.CacheControl?.ToString());
        }
    }

    private static StringContent? Content(string? body, string nhs) => body switch
    {
        null => null,
        _ when body.StartsWith("text:", StringComparison.Ordinal) => new StringContent(body[5..].Replace("{n}", nhs, StringComparison.Ordinal), Encoding.UTF8, "text/plain"),
        _ when body.StartsWith("csv:", StringComparison.Ordinal) => new StringContent(body[4..], Encoding.UTF8, "text/csv"),
        _ => new StringContent(body, Encoding.UTF8, "application/json"),
    };
}
