using System.Text.Json.Serialization;
using FluentValidation;
using OptOut.Audit;
using OptOut.Audit.Reports;
using OptOut.Catalogue;
using OptOut.Consents;
using OptOut.EventStore;
using OptOut.Fhir;
using OptOut.Hosting;
using OptOut.Http;
using OptOut.Idempotency;
using OptOut.Indexing;
using OptOut.Migration;
using OptOut.NationalDataOptOut;
using OptOut.Patients.Choices;
using OptOut.Patients.GetPreferences;
using OptOut.Patients.History;
using OptOut.Patients;
using OptOut.PipelineChecks;
using OptOut.Proxies;
using OptOut.Publishing;
using OptOut.Security;
using OptOut.Statistics;
using OptOut.Supersession;
using OptOut.Type1OptOut;
using OptOut.UseDecisions;

var builder = WebApplication.CreateBuilder(args);
// Kestrel reads only its endpoints from configuration; its limits (body size, header size and time) are bound here.
builder.WebHost.ConfigureKestrel((context, kestrel) => context.Configuration.GetSection("Kestrel:Limits").Bind(kestrel.Limits));

// The rooms, each registering itself: the event store first, then what follows it.
builder.Services.AddEventStore(builder.Configuration);
builder.Services.AddPublishing(builder.Configuration);
builder.Services.AddIdempotency();
builder.Services.AddMessaging(builder.Configuration);
builder.Services.AddOptOutAuthentication(builder.Configuration, builder.Environment);
builder.Services.AddOptOutHealth(builder.Configuration);
builder.Services.AddOptOutOpenApi();
builder.Services.AddOptOutTelemetry(builder.Configuration);
// Singletons: the validators keep no state and depend only on singletons (the clock, options), and building one per
// request cost about 4% of the machine's CPU under a load of changes (a perf profile, docs/benchmarks.md).
builder.Services.AddValidatorsFromAssemblyContaining<Program>(ServiceLifetime.Singleton, includeInternalTypes: true);
// A default message names the field as the body spells it ("'code' must not be empty"), not as C# does ("'Code'").
FluentValidation.ValidatorOptions.Global.DisplayNameResolver = (_, member, _) => member is null ? null : System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(member.Name);
// A field gets its first failure only: an empty proxyId is "required", not also "not of the pattern".
FluentValidation.ValidatorOptions.Global.DefaultRuleLevelCascadeMode = FluentValidation.CascadeMode.Stop;
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddFhir();
// Every problem, the framework's own included, leaves with a documented type and a detail (Http/Problems.cs).
builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = c => Problems.Complete(c.ProblemDetails, c.HttpContext));
builder.Services.AddExceptionHandler<ExceptionProblems>();
builder.Services.AddClientRateLimits(builder.Configuration);
builder.Services.AddRequestTimeLimits(builder.Configuration);
builder.Services.ConfigureHttpJsonOptions(json =>
{
    json.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
    json.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
});
// Unreadable bodies throw, so the exception handler can say what was wrong in a problem response.
builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);

builder.Services.AddPatientRecords(builder.Configuration);
builder.Services.AddCatalogue(builder.Configuration);
builder.Services.AddType1OptOut(builder.Configuration);
builder.Services.AddConsents(builder.Configuration);
builder.Services.AddOptOutIndex(builder.Configuration);
builder.Services.AddPipelineChecks(builder.Configuration);
builder.Services.AddMigration();
builder.Services.AddAuditTrail(builder.Configuration);
builder.Services.AddVerificationRuns();
builder.Services.AddSingleton<RouteTemplates>();
builder.Services.AddStatistics(builder.Configuration);

var app = builder.Build();

// `infra/optout import FILE` runs the importer in-process, without the web server or the daemon.
if (args is ["import", var file, ..])
{
    return await ImportCommand.RunAsync(app.Services, file);
}

// `infra/optout` creates the schema first, so it can hand the audit tables to a role the service cannot log in as.
if (args is ["schema", ..])
{
    await app.Services.GetRequiredService<Marten.IDocumentStore>().Storage.ApplyAllConfiguredChangesToDatabaseAsync();
    await app.Services.GetRequiredService<AuditSchema>().EnsureAsync(CancellationToken.None);
    return 0;
}

// `infra/optout run` gives the witness the log's verifier key before either starts.
if (args is ["log-key", ..])
{
    Console.WriteLine(app.Services.GetRequiredService<OptOut.Audit.Transparency.LogKey>().VerifierKey);
    return 0;
}

app.UseSecurityHeaders();
app.UseAuditTrail();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseOptOutOpenApi();
app.UseAuthentication();
app.UseRateLimiter();
// Before any handler and inside the audit trail, so each refusal is recorded, against the caller who sent it.
app.UseInputScreening();
app.UseRequestTimeouts();
app.UseAuthorization();

app.MapOptOutHealth();
app.MapProblemTypes();
var v1 = app.MapGroup("/v1").RequireAuthorization().AddEndpointFilter(AuditMiddleware.RecordBeforeAnswerAsync).AddEndpointFilter(KnownQueryParameters.RefuseUnknownOrRepeatedAsync);
v1.MapChangeNationalDataOptOut();
v1.MapRecordType1OptOut();
v1.MapConsents();
v1.MapGetCatalogue();
v1.MapProxies();
v1.MapGetMyPatients();
v1.MapEndingAuthorities();
v1.MapSupersession();
v1.MapGetPreferences();
v1.MapGetChoices();
v1.MapGetHistory();
v1.MapGetChange();
v1.MapGetOptOutStatus();
v1.MapGetDecision();
v1.MapBulkCheck();
v1.MapGetCheckSummary();
v1.MapListChecks();
v1.MapChangeFeed();
v1.MapOptOutImports();
v1.MapListImports();
v1.MapAudit();
v1.MapVerificationRuns();
v1.MapTransparencyLog();
v1.MapAccessLog();
v1.MapAccessLogProof();
v1.MapAuditSearch();
v1.MapStatistics();
v1.MapWhoAmI();
app.MapFhir();

await app.RunAsync();
return 0;

/// <summary>Visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
