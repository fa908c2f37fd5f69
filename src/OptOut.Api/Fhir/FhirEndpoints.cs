using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Marten;
using OptOut.Patients;
using OptOut.Security;
using OptOut.Http;

namespace OptOut.Fhir;

/// <summary>
/// FHIR R4 as integrators expect it: a CapabilityStatement, Consent read and search (by patient reference or NHS
/// number identifier, and status), unknown search parameters reported (refused under Prefer: handling=strict), and
/// every error an OperationOutcome (<see cref="FhirProblemWriter"/>).
/// </summary>
public static class FhirEndpoints
{
    public const string MediaType = "application/fhir+json";
    public const string Base = "/fhir/r4";

    public static readonly JsonSerializerOptions Json = new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector);

    private static readonly string[] SearchParameters = ["patient", "patient:identifier", "status", "_format"];

    private static readonly Dictionary<string, Consent.ConsentState> StatusCodes = new(StringComparer.Ordinal)
    {
        ["draft"] = Consent.ConsentState.Draft,
        ["proposed"] = Consent.ConsentState.Proposed,
        ["active"] = Consent.ConsentState.Active,
        ["rejected"] = Consent.ConsentState.Rejected,
        ["inactive"] = Consent.ConsentState.Inactive,
        ["entered-in-error"] = Consent.ConsentState.EnteredInError,
    };

    public static void MapFhir(this IEndpointRouteBuilder app)
    {
        var fhir = app.MapGroup(Base).WithTags("FHIR R4").AddEndpointFilter(Audit.AuditMiddleware.RecordBeforeAnswerAsync).AddEndpointFilter(FhirFormat.RefuseAllButJsonAsync);
        fhir.MapGet("/metadata", (HttpContext http, TimeProvider clock) => Resource(Capabilities.Statement(BaseUrl(http), clock.GetUtcNow())))
            .WithName("FhirCapabilityStatement")
            .WithSummary("The FHIR CapabilityStatement: what this server supports.")
            .Produces<string>(200, MediaType)
            .AllowAnonymous();
        fhir.MapGet("/Consent", SearchAsync)
            .WithName("SearchConsents")
            .WithSummary("The patient's choices as Consent resources in a searchset Bundle: patient=[Patient/]N, patient:identifier=https://fhir.nhs.uk/Id/nhs-number|N, status.")
            .Produces<string>(200, MediaType)
            .RequireAuthorization(p => p.RequireRole(Roles.Pipeline, Roles.Dpo, Roles.Patient));
        fhir.MapGet("/Consent/{id}", ReadAsync)
            .WithName("ReadConsent")
            .WithSummary("One Consent by id (NHS number, hyphen, choice), as listed in a search's fullUrl.")
            .Produces<string>(200, MediaType)
            .RequireAuthorization(p => p.RequireRole(Roles.Pipeline, Roles.Dpo, Roles.Patient));
    }

    private static async Task<IResult> SearchAsync(HttpContext http, IQuerySession session, ConsentResources resources, TimeProvider clock, CancellationToken ct)
    {
        var query = http.Request.Query;
        var unknown = query.Keys.Where(k => !SearchParameters.Contains(k)).Order(StringComparer.Ordinal).ToList();
        var strict = http.Request.Headers["Prefer"].Any(p => p?.Contains("handling=strict", StringComparison.OrdinalIgnoreCase) == true);
        if (unknown.Count > 0 && strict)
        {
            return Problems.Of(Problems.InvalidQuery, $"Unknown search parameters: {string.Join(", ", unknown)}. This server supports {string.Join(", ", SearchParameters)}.");
        }

        // A search is about one patient, once: FHIR reads a repeated parameter as "and", and taking the first of two
        // patients (as this once did) answered for one while the self link named both.
        var repeated = SearchParameters.Where(p => query[p].Count > 1).ToList();
        if (repeated.Count > 0 || (query.ContainsKey("patient") && query.ContainsKey("patient:identifier")))
        {
            return Problems.Of(Problems.InvalidQuery, repeated.Count > 0
                ? $"{string.Join(" and ", repeated)} may be given once: search for one patient at a time."
                : "Give patient or patient:identifier, not both: search for one patient at a time.");
        }

        var named = query["patient:identifier"].FirstOrDefault() ?? query["patient"].FirstOrDefault();
        if (!FhirPatientReference.TryParse(named, out var nhs, out var error))
        {
            var given = named is null ? "is required" : "names no patient";
            return Problems.Of(Problems.InvalidQuery, $"patient (or patient:identifier) {given}: Patient/N, N, or {ConsentResources.NhsNumberSystem}|N. {error}");
        }

        // A token search's commas mean "any of these" in FHIR: status=active,inactive.
        HashSet<Consent.ConsentState>? statuses = null;
        if (query["status"].FirstOrDefault() is { } wanted)
        {
            statuses = [];
            foreach (var code in wanted.Split(','))
            {
                if (!StatusCodes.TryGetValue(code, out var parsed))
                {
                    return Problems.Of(Problems.InvalidQuery,
                        "status is one or more of draft, proposed, active, rejected, inactive, entered-in-error, separated by commas.");
                }

                statuses.Add(parsed);
            }
        }

        var now = clock.GetUtcNow();
        var record = await session.LoadCurrentAsync(nhs, ct);
        if (PatientAccess.Check(Caller.From(http.User), record, now) is { } denied)
        {
            return denied;
        }

        var matches = resources.All(record, now).Where(c => statuses is null || (c.Status is { } s && statuses.Contains(s))).ToList();
        var used = query.Where(q => SearchParameters.Contains(q.Key)).Select(q => $"{q.Key}={Uri.EscapeDataString(q.Value.ToString())}");
        var bundle = new Bundle
        {
            Type = Bundle.BundleType.Searchset,
            Total = matches.Count,
            Timestamp = now,
            // The self link names only the parameters the search used, as FHIR asks, so an ignored one is visible.
            Link = [new Bundle.LinkComponent { Relation = "self", Url = $"{BaseUrl(http)}/Consent?{string.Join('&', used)}" }],
            Entry = [.. matches.Select(c => new Bundle.EntryComponent
            {
                FullUrl = $"{BaseUrl(http)}/Consent/{c.Id}",
                Resource = c,
                Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Match },
            })],
        };
        if (unknown.Count > 0)
        {
            bundle.Entry.Add(new Bundle.EntryComponent
            {
                Resource = FhirProblemWriter.Outcome(OperationOutcome.IssueSeverity.Warning, OperationOutcome.IssueType.NotSupported,
                    $"Ignored unknown search parameters: {string.Join(", ", unknown)}. Send Prefer: handling=strict to have them refused."),
                Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Outcome },
            });
        }

        return Resource(bundle);
    }

    private static async Task<IResult> ReadAsync(string id, HttpContext http, IQuerySession session, ConsentResources resources, TimeProvider clock, CancellationToken ct)
    {
        if (!FhirPatientReference.TryParseConsentId(id, out var nhs))
        {
            return Problems.Of(Problems.NotFound, "No Consent has this id: ids are the NHS number, a hyphen and the choice, as a search's fullUrl gives them.");
        }

        var now = clock.GetUtcNow();
        var record = await session.LoadCurrentAsync(nhs, ct);
        if (PatientAccess.Check(Caller.From(http.User), record, now) is { } denied)
        {
            return denied;
        }

        // A superseded number's Consents live under the number that replaced it; the id names the record that holds them.
        return resources.All(record, now).FirstOrDefault(c => c.Id == id) is { } consent
            ? Resource(consent)
            : Problems.Of(Problems.NotFound, $"No Consent with id {id}. Search Consent?patient=... for the patient's choices.");
    }

    private static string BaseUrl(HttpContext http) => $"{http.Request.Scheme}://{http.Request.Host}{Base}";

    private static ContentHttpResult Resource(Resource resource) => TypedResults.Text(JsonSerializer.Serialize(resource, resource.GetType(), Json), MediaType);
}
