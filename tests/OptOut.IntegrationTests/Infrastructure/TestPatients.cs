using System.Net.Http.Json;
using OptOut.NhsNumbers;

namespace OptOut.IntegrationTests.Infrastructure;

public static class TestPatients
{
    /// <summary>The date of birth staff confirm for an adult patient when they record a choice made by phone or on paper.</summary>
    public static readonly DateOnly AdultBorn = new(1980, 6, 15);

    /// <summary>A valid NHS number no other test uses (English range, random base).</summary>
    public static string NewNhsNumber() => NewNhsNumber(400_000_000);

    /// <summary>
    /// A valid NHS number from the English range 600 000 0000 - 699 999 9999, where no test records anything: a list of
    /// many numbers nobody has a choice for, which a shared database's other tests cannot collide with.
    /// </summary>
    public static string UntouchedNhsNumber() => NewNhsNumber(600_000_000);

    private static string NewNhsNumber(int from)
    {
        while (true)
        {
            if (NhsNumber.TryFromBase(Random.Shared.Next(from, from + 100_000_000), out var number))
            {
                return number.Value;
            }
        }
    }

    public static Task<HttpResponseMessage> PutOptOutAsync(this HttpClient client, string nhsNumber, object body, string? ifMatch = null, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/v1/patients/{nhsNumber}/national-data-opt-out") { Content = JsonContent.Create(body) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> SendJsonAsync(this HttpClient client, HttpMethod method, string url, object? body = null) =>
        client.SendAsync(new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) });

    public static async Task<System.Text.Json.JsonElement> JsonAsync(this Task<HttpResponseMessage> response)
    {
        var r = await response;
        Assert.True(r.IsSuccessStatusCode, $"{(int)r.StatusCode}: {await r.Content.ReadAsStringAsync()}");
        return await r.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
    }
}
