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

/// <summary>What a read answered: the value, or why not (the API's problem detail and status).</summary>
public sealed record Read<T>(T? Value, int Status, string? Problem)
    where T : class;

/// <summary>The caller as the API admits them (GET /v1/me).</summary>
public sealed record SignedIn(IReadOnlyList<string> Roles, bool MayChangeChoices);

public sealed record ActingFor(string NhsNumber, string Role, DateTimeOffset From, DateTimeOffset? ValidUntil);

public sealed record MyPatients(IReadOnlyList<ActingFor> Patients, IReadOnlyList<ActingFor> Ended);

public sealed record DecidedBy(string Capacity, string? ProxyRole, string RecordedBy, string RecordedByRole, string? IdentityCheck = null);

public sealed record EventReference(string EventType, DateTimeOffset EffectiveAt, DateTimeOffset RecordedAt);

public sealed record HistoryEntry(EventReference Event, DecidedBy DecidedBy, string? Channel, System.Text.Json.Nodes.JsonObject? Details = null, string? Reference = null);

/// <summary>One change as the API recorded it (GET /v1/patients/{n}/changes/{reference}): what confirmation pages show.</summary>
public sealed record RecordedChange(string Reference, string NhsNumber, IReadOnlyList<HistoryEntry> Decisions)
{
    /// <summary>The decision of this kind the change recorded (for example "national-data-opt-out-set"), if it recorded one.</summary>
    public HistoryEntry? Of(params string[] eventTypes) => Decisions.LastOrDefault(d => eventTypes.Contains(d.Event.EventType));
}

public sealed record History(string NhsNumber, IReadOnlyList<HistoryEntry> Decisions);

public sealed record AccessLogEntry(DateTimeOffset At, string Kind, string ActorRole, string Actor, string? Purpose, int Outcome, string? Answer, bool ByYou);

/// <summary>A catalogue purpose; <see cref="Title"/> is the catalogue's, written for staff, and <see cref="TitleFor"/> says it to a reader.</summary>
public sealed record Purpose(string Key, string Title, bool RequiresConsent)
{
    public string TitleFor(Voice voice) => Words.Purpose(Key, voice, Title);
}

public sealed record AccessLog(string NhsNumber, IReadOnlyList<AccessLogEntry> Entries, long? Before);

public sealed record AuditEntry(long Sequence, DateTimeOffset RecordedAt, string Kind, string Action, string Actor, string ActorRole,
    string? NhsNumber, string? Purpose, int Outcome, string RequestId, string Details, string PreviousHash, string Hash);

public sealed record AuditPage(IReadOnlyList<AuditEntry> Entries, long? Before);

public sealed record SubjectAccessReport(string NhsNumber, IReadOnlyList<string> Numbers, IReadOnlyList<HistoryEntry> Changes, IReadOnlyList<AuditEntry> Entries);

/// <summary>The figures (GET /v1/statistics): a row a month, and Type 1 opt-outs by practice.</summary>
public sealed record Statistics(long Sequence, IReadOnlyList<MonthFigures> Months, IReadOnlyList<PracticeFigures> Type1ByPractice, RebuildProgress? Rebuilding = null);

/// <summary>A rebuild of the figures as it replays: meanwhile the figures are those from before it began.</summary>
public sealed record RebuildProgress(long ReplayedTo, long Target);

public sealed record MonthFigures(string Month, long NationalOptOutsInForce, Flow NationalOptOutsSet, Flow NationalOptOutsWithdrawn,
    long Type1OptOutsInForce, IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>> Consents);

public sealed record Flow(long Total, long Self, long Proxy, IReadOnlyDictionary<string, long> ByChannel);

public sealed record PracticeFigures(string Practice, long Type1OptOutsInForce);

/// <summary>The public figures (GET /v1/statistics/national): null is a count withheld to protect privacy.</summary>
public sealed record NationalStatistics(long Sequence, SuppressionRule Suppression, IReadOnlyList<NationalMonth> Months);

public sealed record SuppressionRule(int Threshold, int RoundTo);

public sealed record NationalMonth(string Month, long? NationalOptOutsInForce, long? NationalOptOutsSet, long? NationalOptOutsWithdrawn);

/// <summary>A bulk check's record (GET /v1/opt-out-checks): who, when, for what, its counts and the list's SHA-256.</summary>
public sealed record CheckRun(string Id, string Caller, string Purpose, string DataSource, long Received, long Kept, long Removed, long Invalid,
    string SubmittedSha256, string Status, DateTimeOffset StartedAt);

public sealed record CheckPage(IReadOnlyList<CheckRun> Checks, string? Before);

public sealed record EndingAuthority(string NhsNumber, string ProxyId, string Role, string EvidenceReference, DateTimeOffset From, DateTimeOffset EndsAt);

public sealed record EndingAuthorities(DateTimeOffset From, DateTimeOffset Until, IReadOnlyList<EndingAuthority> Authorities);

public sealed record RejectedRow(long Line, string Reason);

/// <summary>An import run (GET /v1/admin/opt-out-imports): the list leaves out the rejected rows, one import has them.</summary>
public sealed record ImportRun(string Id, string Caller, string Status, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string FileSha256,
    long Received, long Imported, long AlreadyPresent, long Invalid, IReadOnlyList<RejectedRow>? Rejected);

/// <summary>A re-verification run (GET /v1/audit/verifications/{id}); <see cref="Result"/> is the verification's report once it completes.</summary>
public sealed record VerificationRun(string Id, string RequestedBy, string Status, DateTimeOffset StartedAt, DateTimeOffset UpdatedAt, DateTimeOffset? FinishedAt,
    long EntriesChecked, long RecordsChecked, long? RecordsEstimated, System.Text.Json.Nodes.JsonObject? Result, string? Problem)
{
    public bool IsRunning => Status == "running";
}

/// <summary>A decision staff record for a patient: the answer, how it came, when the form was signed, and who decided.</summary>
public sealed record StaffRecording(
    string NhsNumber, bool OptedOut, string Channel, DateTimeOffset? SignedOn, string? CaseReference, string? ProxyRole, string? Evidence, DateOnly PatientBorn);

/// <summary>What a change answered: its reference (none when the choice already stood and nothing changed), or the API's problem.</summary>
public sealed record ChangeResult(string? Reference, string? Problem, int Status = 200)
{
    /// <summary>The API refused what was entered (400, 422): sending it again cannot succeed, changing it may.</summary>
    public bool EntryRefused => Status is 400 or 422;
}

/// <summary>
/// OptOut's HTTP API, called with the signed-in person's own access token: every page action is authorized, audited,
/// idempotent and published exactly as any other API call. The pages never read the database.
/// </summary>
public sealed class OptOutApi(HttpClient http, IHttpContextAccessor context)
{
    private static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    public async Task<Preferences?> PreferencesAsync(string nhsNumber, CancellationToken ct) =>
        (await ReadAsync<Preferences>($"/v1/patients/{nhsNumber}/preferences", ct)).Value;

    public Task<Read<Preferences>> ReadPreferencesAsync(string nhsNumber, CancellationToken ct) => ReadAsync<Preferences>($"/v1/patients/{nhsNumber}/preferences", ct);

    public Task<Read<MyPatients>> MyPatientsAsync(CancellationToken ct) => ReadAsync<MyPatients>("/v1/proxies/me/patients", ct);

    public Task<Read<History>> HistoryAsync(string nhsNumber, CancellationToken ct) => ReadAsync<History>($"/v1/patients/{nhsNumber}/history", ct);

    public Task<Read<AccessLog>> AccessLogAsync(string nhsNumber, long? before, CancellationToken ct) =>
        ReadAsync<AccessLog>($"/v1/patients/{nhsNumber}/access-log{(before is { } b ? $"?before={b}" : "")}", ct);

    /// <summary>The history with its proofs, exactly as the API sent it (a download must hash as the log does); or the problem.</summary>
    public async Task<(string? Json, string? Problem)> AccessLogProofAsync(string nhsNumber, CancellationToken ct)
    {
        using var response = await http.SendAsync(await RequestAsync(HttpMethod.Get, $"/v1/patients/{nhsNumber}/access-log/proof"), ct);
        return response.IsSuccessStatusCode ? (await response.Content.ReadAsStringAsync(ct), null) : (null, await ProblemAsync(response, ct));
    }

    /// <summary>The audit log's verifier key, which anyone may read.</summary>
    public async Task<string?> AuditLogKeyAsync(CancellationToken ct)
    {
        using var response = await http.GetAsync("/v1/audit/log/key", ct);
        return response.IsSuccessStatusCode ? (await response.Content.ReadAsStringAsync(ct)).Trim() : null;
    }

    public async Task<IReadOnlyList<Purpose>> ConsentPurposesAsync(CancellationToken ct)
    {
        var read = await ReadAsync<List<JsonElement>>("/v1/catalogue/purposes", ct);
        return [.. (read.Value ?? []).Where(p => p.GetProperty("requiresConsent").GetBoolean())
            .Select(p => new Purpose(p.GetProperty("purpose").GetString()!, p.GetProperty("title").GetString()!, true))];
    }

    public Task<Read<AuditPage>> SearchAuditAsync(string query, CancellationToken ct) => ReadAsync<AuditPage>($"/v1/audit/entries?{query}", ct);

    public Task<Read<SubjectAccessReport>> SubjectAccessAsync(string nhsNumber, CancellationToken ct) => ReadAsync<SubjectAccessReport>($"/v1/patients/{nhsNumber}/audit", ct);

    /// <summary>The subject access report as the API gives it, to download as a file.</summary>
    public async Task<HttpResponseMessage> SubjectAccessFileAsync(string nhsNumber, CancellationToken ct) =>
        await http.SendAsync(await RequestAsync(HttpMethod.Get, $"/v1/patients/{nhsNumber}/audit"), HttpCompletionOption.ResponseHeadersRead, ct);

    /// <summary>
    /// The roles the API admits a newly signed-in person in (GET /v1/me), asked with the access token the sign-in just
    /// returned: the pages then open to exactly those roles, whichever issuer's claims they came from, and offer a
    /// change of choice only where the API would accept one.
    /// </summary>
    public async Task<Read<SignedIn>> WhoAmIAsync(string accessToken, CancellationToken ct)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return await AnswerAsync<SignedIn>(request, ct);
    }

    public Task<Read<CheckPage>> ChecksAsync(string? before, CancellationToken ct) =>
        ReadAsync<CheckPage>($"/v1/opt-out-checks?limit=25{(before is null ? "" : "&before=" + Uri.EscapeDataString(before))}", ct);

    public Task<Read<EndingAuthorities>> EndingAuthoritiesAsync(CancellationToken ct) => ReadAsync<EndingAuthorities>("/v1/proxies/ending?days=30", ct);

    public Task<Read<List<ImportRun>>> ImportsAsync(CancellationToken ct) => ReadAsync<List<ImportRun>>("/v1/admin/opt-out-imports", ct);

    public Task<Read<ImportRun>> ImportAsync(string id, CancellationToken ct) => ReadAsync<ImportRun>($"/v1/admin/opt-out-imports/{Uri.EscapeDataString(id)}", ct);

    public Task<Read<Statistics>> StatisticsAsync(CancellationToken ct) => ReadAsync<Statistics>("/v1/statistics", ct);

    /// <summary>The public figures need no sign-in: asked for without a token whoever is signed in.</summary>
    public Task<Read<NationalStatistics>> NationalStatisticsAsync(CancellationToken ct) => ReadAsync<NationalStatistics>("/v1/statistics/national", ct, signedIn: false);

    /// <summary>Begins rebuilding the figures from every event (or joins the rebuild under way); safe to repeat, so no Idempotency-Key is needed.</summary>
    public async Task<Read<Statistics>> RebuildStatisticsAsync(CancellationToken ct) =>
        await AnswerAsync<Statistics>(await RequestAsync(HttpMethod.Post, "/v1/statistics/rebuild"), ct);

    public Task<Read<AuditEntry>> AuditEntryAsync(long sequence, CancellationToken ct) => ReadAsync<AuditEntry>($"/v1/audit/entries/{sequence}", ct);

    /// <summary>Starts a re-verification, or joins the one running: safe to repeat, so no Idempotency-Key is needed.</summary>
    public async Task<Read<VerificationRun>> BeginVerificationAsync(CancellationToken ct) =>
        await AnswerAsync<VerificationRun>(await RequestAsync(HttpMethod.Post, "/v1/audit/verifications"), ct);

    public Task<Read<VerificationRun>> VerificationRunAsync(string id, CancellationToken ct) =>
        ReadAsync<VerificationRun>($"/v1/audit/verifications/{Uri.EscapeDataString(id)}", ct);

    public Task<Read<List<VerificationRun>>> VerificationRunsAsync(CancellationToken ct) => ReadAsync<List<VerificationRun>>("/v1/audit/verifications", ct);

    public Task<Read<System.Text.Json.Nodes.JsonArray>> CheckpointsAsync(CancellationToken ct) => ReadAsync<System.Text.Json.Nodes.JsonArray>("/v1/audit/checkpoints", ct);

    public async Task<string?> AuditPublicKeyAsync(CancellationToken ct)
    {
        using var response = await http.SendAsync(await RequestAsync(HttpMethod.Get, "/v1/audit/public-key"), ct);
        return response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync(ct) : null;
    }

    /// <summary>The export of a filter, as the API streams it: the caller copies it to the browser as it arrives.</summary>
    public async Task<HttpResponseMessage> ExportAuditAsync(string query, string mediaType, CancellationToken ct)
    {
        var request = await RequestAsync(HttpMethod.Get, $"/v1/audit?{query}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(mediaType));
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
    }

    /// <summary>Staff record a national data opt-out decision received by phone or on paper, with the form's signed date.</summary>
    public Task<ChangeResult> RecordNationalDataOptOutAsync(StaffRecording form, string idempotencyKey, CancellationToken ct) =>
        ChangeAsync(HttpMethod.Put, $"/v1/patients/{form.NhsNumber}/national-data-opt-out", new
        {
            optedOut = form.OptedOut,
            channel = form.Channel,
            effectiveAt = form.SignedOn,
            caseReference = form.CaseReference,
            patientBirthDate = form.PatientBorn,
            onBehalfOf = form.ProxyRole is null ? null : new { role = form.ProxyRole, evidenceReference = form.Evidence },
        }, idempotencyKey, ct);

    /// <summary>Permit or deny a purpose, until the end of a day if given; or withdraw the answer that stands.</summary>
    public Task<ChangeResult> DecideConsentAsync(string nhsNumber, string purpose, string decision, DateTimeOffset? until, string idempotencyKey, CancellationToken ct) =>
        decision == "withdraw"
            ? ChangeAsync(HttpMethod.Delete, $"/v1/patients/{nhsNumber}/consents/{Uri.EscapeDataString(purpose)}", null, idempotencyKey, ct)
            : ChangeAsync(HttpMethod.Put, $"/v1/patients/{nhsNumber}/consents/{Uri.EscapeDataString(purpose)}",
                new { decision, period = until is null ? null : new { end = until }, channel = "online" }, idempotencyKey, ct);

    /// <summary>The change a reference names on this record, as the API recorded it; null when it names none of its changes.</summary>
    public async Task<RecordedChange?> RecordedChangeAsync(string nhsNumber, string? reference, CancellationToken ct) =>
        reference is { Length: > 0 and <= 16 }
            ? (await ReadAsync<RecordedChange>($"/v1/patients/{Uri.EscapeDataString(nhsNumber)}/changes/{Uri.EscapeDataString(reference)}", ct)).Value
            : null;

    /// <summary>Every change the pages make: with its Idempotency-Key, answered by its reference or the API's problem.</summary>
    private async Task<ChangeResult> ChangeAsync(HttpMethod method, string path, object? body, string idempotencyKey, CancellationToken ct)
    {
        var request = await RequestAsync(method, path);
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: Json);
        }

        using var response = await http.SendAsync(request, ct);
        return response.IsSuccessStatusCode
            ? new ChangeResult(response.Headers.TryGetValues("OptOut-Reference", out var references) ? references.First() : null, null)
            : new ChangeResult(null, await ProblemAsync(response, ct), (int)response.StatusCode);
    }

    private async Task<Read<T>> ReadAsync<T>(string path, CancellationToken ct, bool signedIn = true)
        where T : class =>
        await AnswerAsync<T>(signedIn ? await RequestAsync(HttpMethod.Get, path) : new HttpRequestMessage(HttpMethod.Get, path), ct);

    private async Task<Read<T>> AnswerAsync<T>(HttpRequestMessage request, CancellationToken ct)
        where T : class
    {
        using var response = await http.SendAsync(request, ct);
        if (response.IsSuccessStatusCode)
        {
            return new Read<T>(await response.Content.ReadFromJsonAsync<T>(Json, ct), (int)response.StatusCode, null);
        }

        return new Read<T>(null, (int)response.StatusCode, await ProblemAsync(response, ct));
    }

    private static async Task<string?> ProblemAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return response.ReasonPhrase;
        }

        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Json, ct);
        return problem.TryGetProperty("detail", out var detail) ? detail.GetString() : response.ReasonPhrase;
    }

    /// <summary>The form's own idempotency key travels as the API's: a double submission records once.</summary>
    public Task<ChangeResult> SetNationalDataOptOutAsync(string nhsNumber, bool optedOut, string idempotencyKey, CancellationToken ct) =>
        ChangeAsync(HttpMethod.Put, $"/v1/patients/{nhsNumber}/national-data-opt-out", new { optedOut, channel = "online" }, idempotencyKey, ct);

    private async Task<HttpRequestMessage> RequestAsync(HttpMethod method, string path)
    {
        var token = await context.HttpContext!.GetTokenAsync("access_token");
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }
}
