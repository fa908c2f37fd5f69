using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;

namespace OptOut.Web;

/// <summary>A patient's choices as the API returns them; the pages read only what they show.</summary>
public sealed record Preferences(string NhsNumber, long Version, NationalDataOptOut NationalDataOptOut, Type1OptOut Type1OptOut, IReadOnlyList<Consent> Consents, IReadOnlyList<Proxy> Proxies);

public sealed record NationalDataOptOut(bool OptedOut, DateTimeOffset? EffectiveAt, DateTimeOffset? RecordedAt, string? Channel);

public sealed record Type1OptOut(bool Dissent, string? PracticeOdsCode, DateTimeOffset? EffectiveAt);

public sealed record ConsentPeriod(DateTimeOffset? Start, DateTimeOffset? End);

public sealed record Consent(string Purpose, string Status, bool InForce, ConsentPeriod? Period, DateTimeOffset RecordedAt);

public sealed record Proxy(string ProxyId, string Role, DateTimeOffset From, DateTimeOffset? ValidUntil, bool Active);

/// <summary>What a change answered: the new preferences and the change's reference, or the API's problem.</summary>
public sealed record ChangeResult(Preferences? Preferences, string? Reference, string? Problem);

/// <summary>
/// OptOut's HTTP API, called with the signed-in person's own access token: every page action is authorized, audited,
/// idempotent and published exactly as any other API call. The pages never read the database.
/// </summary>
public sealed class OptOutApi(HttpClient http, IHttpContextAccessor context)
{
    private static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    public async Task<Preferences?> PreferencesAsync(string nhsNumber, CancellationToken ct)
    {
        using var response = await http.SendAsync(await RequestAsync(HttpMethod.Get, $"/v1/patients/{nhsNumber}/preferences"), ct);
        return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<Preferences>(Json, ct) : null;
    }

    /// <summary>The form's own idempotency key travels as the API's: a double submission records once.</summary>
    public async Task<ChangeResult> SetNationalDataOptOutAsync(string nhsNumber, bool optedOut, string idempotencyKey, CancellationToken ct)
    {
        var request = await RequestAsync(HttpMethod.Put, $"/v1/patients/{nhsNumber}/national-data-opt-out");
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        request.Content = JsonContent.Create(new { optedOut, channel = "online" }, options: Json);
        using var response = await http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
        {
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Json, ct);
            return new ChangeResult(null, null, problem.TryGetProperty("detail", out var detail) ? detail.GetString() : response.ReasonPhrase);
        }

        var reference = response.Headers.TryGetValues("X-Request-Id", out var ids) ? ids.First() : null;
        return new ChangeResult(await response.Content.ReadFromJsonAsync<Preferences>(Json, ct), reference, null);
    }

    private async Task<HttpRequestMessage> RequestAsync(HttpMethod method, string path)
    {
        var token = await context.HttpContext!.GetTokenAsync("access_token");
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }
}
