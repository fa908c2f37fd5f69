using System.Net;
using System.Text;
using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.Security;

/// <summary>
/// Generated malformed requests against every write and read: no answer is a 5xx, every refusal is a problem
/// response, and nothing is written. Seeded, so a failure reproduces.
/// </summary>
[Collection(OptOutServiceGroup.Name)]
public class HostileInputTests(OptOutService service)
{
    private static readonly string[] NhsNumbers =
    [
        "", "0", "9434765918", "94347659190", "943 476  5919", "٩٤٣٤٧٦٥٩١٩", "９４３４７６５９１９", "..%2F..%2Fetc", "%2e%2e",
        "9434765919%20OR%201=1", new string('9', 4000), "null", "-943476591", "9434765919;", "%F0%9F%98%80", "943476591%0A",
    ];

    private static readonly string[] Bodies =
    [
        "", "{", "[]", "null", "\"text\"", "{\"optedOut\":", "{\"optedOut\":true,\"channel\":\"online\"," + new string(' ', 10) + "}",
        new string('[', 5000) + new string(']', 5000), "{\"optedOut\":1e999,\"channel\":\"online\"}", "{\"optedOut\":true,\"channel\":\"\\u0000\"}",
        "{\"optedOut\":true,\"channel\":\"online\",\"effectiveAt\":\"2020-13-45T99:99:99Z\"}", "{\"decision\":\"permit\",\"period\":{\"start\":\"x\"}}",
        "{\"optedOut\":true,\"channel\":\"online\",\"onBehalfOf\":{\"role\":null}}", "{\"dissent\":true,\"practiceOdsCode\":\"<script>\",\"code\":\"9Nu0\"}",
        "{\"proxyId\":\"../../x\",\"role\":\"power-of-attorney\",\"evidenceReference\":\"e\"}", "{\"newNhsNumber\":\"9434765919\",\"__proto__\":{}}",
        "\uFEFF{\"optedOut\":true}", "{\"optedOut\":true,\"optedOut\":false,\"channel\":\"online\"}",
    ];

    private static readonly string[] ContentTypes = ["application/json", "text/plain", "application/xml", "application/json; charset=utf-16", "multipart/form-data", ""];

    private static readonly string[] Paths =
    [
        "/v1/patients/{n}/national-data-opt-out", "/v1/patients/{n}/type-1-opt-out", "/v1/patients/{n}/consents/research",
        "/v1/patients/{n}/proxies", "/v1/patients/{n}/supersession", "/v1/opt-out-checks?purpose=research&dataSource=gp",
    ];

    [Fact]
    public async Task A_thousand_malformed_writes_get_no_5xx_and_change_nothing()
    {
        var random = new Random(1234);
        var admin = service.As("admin");
        var before = await service.LatestSequenceAsync();
        var statuses = new Dictionary<int, int>();
        for (var i = 0; i < 1000; i++)
        {
            var path = Paths[random.Next(Paths.Length)].Replace("{n}", NhsNumbers[random.Next(NhsNumbers.Length)], StringComparison.Ordinal);
            var request = new HttpRequestMessage(random.Next(3) == 0 ? HttpMethod.Post : HttpMethod.Put, path);
            var contentType = ContentTypes[random.Next(ContentTypes.Length)];
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(Bodies[random.Next(Bodies.Length)]));
            if (contentType.Length > 0)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }

            if (random.Next(4) == 0)
            {
                request.Headers.TryAddWithoutValidation("If-Match", random.Next(2) == 0 ? "\"-5\"" : new string('"', 300));
            }

            var response = await admin.SendAsync(request);
            statuses[(int)response.StatusCode] = statuses.GetValueOrDefault((int)response.StatusCode) + 1;

            Assert.True((int)response.StatusCode < 500, $"{(int)response.StatusCode} for {request.Method} {path}: {await response.Content.ReadAsStringAsync()}");
            if ((int)response.StatusCode >= 400)
            {
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }

        // The bulk check may answer 200 to a hostile list (it removes what is invalid); 403 is admin on practice-only
        // and patient-only writes. No write may land.
        Assert.Equal(before, await service.LatestSequenceAsync());
        Assert.True(statuses.Keys.All(s => s is 200 or 400 or 403 or 404 or 405 or 413 or 415 or 422), string.Join(", ", statuses.Select(kv => $"{kv.Key}: {kv.Value}")));
    }

    [Fact]
    public async Task Malformed_reads_and_header_abuse_get_no_5xx()
    {
        var random = new Random(99);
        var pipeline = service.As("pipeline");
        for (var i = 0; i < 300; i++)
        {
            var nhs = NhsNumbers[random.Next(NhsNumbers.Length)];
            var path = random.Next(3) switch
            {
                0 => $"/v1/opt-outs/{nhs}?minSequence={(random.Next(2) == 0 ? "-1" : "abc")}",
                1 => $"/v1/decisions/{nhs}?purpose={nhs}&dataSource=gp&asOf={nhs}",
                _ => $"/v1/opt-out-changes?after={nhs}&limit={random.Next(-5, 20_000)}",
            };
            var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.TryAddWithoutValidation("X-Purpose", new string('x', random.Next(0, 2000)));

            var response = await pipeline.SendAsync(request);

            Assert.True((int)response.StatusCode < 500, $"{(int)response.StatusCode} for GET {path}");
        }
    }
}
