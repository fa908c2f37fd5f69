using System.Globalization;
using System.Text;
using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Marten;
using Npgsql;
using OptOut.Patients;
using OptOut.Patients.History;
using OptOut.Security;
using OptOut.NhsNumbers;

namespace OptOut.Audit.Reports;

public static class AuditEndpoints
{
    public const string ChainHeadHeader = "OptOut-Audit-Chain-Head";
    private static readonly JsonSerializerOptions Fhir = new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector);
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    public static void MapAudit(this IEndpointRouteBuilder api)
    {
        api.MapGet("/audit", Export)
            .WithName("ExportAudit")
            .WithMetadata(AuditFilter.Parameters)
            .WithSummary("Stream audit entries as CSV (text/csv), NDJSON (application/x-ndjson) or a FHIR R4 Bundle of AuditEvent (application/fhir+json), by Accept.")
            .WithDescription("Filters: from, to (ISO 8601), nhsNumber, actor, role, kind (change or access), purpose, outcome (HTTP status), as GET /v1/audit/entries takes them. The chain head at the start of the export is in OptOut-Audit-Chain-Head (sequence:hash); verify an NDJSON export offline with `optout audit-verify FILE`.")
            .Produces<string>(200, "text/csv", "application/x-ndjson", "application/fhir+json")
            .RequireAuthorization(p => p.RequireRole(Roles.Dpo))
            .WithRequestTimeout(Http.RequestTimeLimits.LongRunning);

        api.MapGet("/audit/verification", async (AuditVerifier verifier, CancellationToken ct) => TypedResults.Ok(await verifier.VerifyAsync(ct)))
            .WithName("VerifyAudit")
            .WithSummary("Re-verify the whole audit chain and its signed checkpoints, the events and every record, within the request; reports the first entry that does not match.")
            .WithDescription("For scripts against small stores: at 3.5 million records a check takes about a minute. POST /v1/audit/verifications runs the same check in the background.")
            .RequireAuthorization(p => p.RequireRole(Roles.Dpo))
            .WithRequestTimeout(Http.RequestTimeLimits.LongRunning);

        api.MapGet("/audit/checkpoints", async (AuditCheckpoints checkpoints, CancellationToken ct) => TypedResults.Ok(await checkpoints.ListAsync(ct)))
            .WithName("AuditCheckpoints")
            .WithSummary("Every signed checkpoint, for offline verification with `optout audit-verify --checkpoints`.")
            .RequireAuthorization(p => p.RequireRole(Roles.Dpo));

        api.MapGet("/audit/public-key", (AuditCheckpoints checkpoints) => TypedResults.Text(checkpoints.PublicKeyPem, "application/x-pem-file"))
            .WithName("AuditPublicKey")
            .WithSummary("The public key that verifies the audit checkpoints' signatures.")
            .Produces<string>(200, "application/x-pem-file")
            .RequireAuthorization(p => p.RequireRole(Roles.Dpo));

        api.MapGet("/patients/{nhsNumber}/audit", SubjectAccess)
            .WithName("SubjectAccess")
            .WithSummary("Everything recorded about one patient, changes and accesses, for a subject access request.")
            .Produces<SubjectAccessReport>()
            .RequireAuthorization(p => p.RequireRole(Roles.Dpo));
    }

    private static async Task<IResult> Export(HttpContext http, NpgsqlDataSource database, AuditSchema schema, CancellationToken ct)
    {
        if (AuditFilter.Parse(http.Request.Query, out var wrong) is not { } filter)
        {
            return Problems.Of(Problems.InvalidQuery, wrong!);
        }

        var accept = http.Request.Headers.Accept.ToString();
        var format = accept.Contains("application/fhir+json", StringComparison.OrdinalIgnoreCase) ? "fhir"
            : accept.Contains("application/x-ndjson", StringComparison.OrdinalIgnoreCase) ? "ndjson"
            : accept.Contains("text/csv", StringComparison.OrdinalIgnoreCase) || string.IsNullOrEmpty(accept) || accept.Contains("*/*", StringComparison.Ordinal) ? "csv"
            : null;
        if (format is null)
        {
            return Problems.Of(Problems.NotAcceptable, "Accept text/csv, application/x-ndjson or application/fhir+json.");
        }

        await using var connection = await database.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        await using (var head = new NpgsqlCommand($"select seq || ':' || hash from {schema.Table} order by seq desc limit 1", connection))
        {
            http.Response.Headers[ChainHeadHeader] = (string?)await head.ExecuteScalarAsync(ct) ?? "0:" + Contracts.Audit.AuditChain.Genesis;
        }

        await using var query = new NpgsqlCommand(
            $"select {AuditRows.Columns} from {schema.Table} " +
            $"where {AuditFilter.Where(schema.Table)} order by seq", connection);
        filter.AddParameters(query);
        await using var reader = await query.ExecuteReaderAsync(ct);

        http.Response.ContentType = format switch { "fhir" => "application/fhir+json", "ndjson" => "application/x-ndjson", _ => "text/csv" };
        await using var writer = new StreamWriter(http.Response.Body, new UTF8Encoding(false), 1 << 16);
        if (format == "csv")
        {
            await writer.WriteLineAsync("sequence,recordedAt,kind,action,actor,actorRole,nhsNumber,purpose,outcome,requestId,details,previousHash,hash");
        }
        else if (format == "fhir")
        {
            await writer.WriteAsync("{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"entry\":[");
        }

        var first = true;
        while (await reader.ReadAsync(ct))
        {
            var e = AuditRows.Read(reader);
            switch (format)
            {
                case "csv":
                    await writer.WriteLineAsync(Csv(e));
                    break;
                case "ndjson":
                    await writer.WriteLineAsync(JsonSerializer.Serialize(e, Web));
                    break;
                default:
                    await writer.WriteAsync((first ? "" : ",") + "{\"resource\":" + JsonSerializer.Serialize(AuditEvents.From(e), Fhir) + "}");
                    break;
            }

            first = false;
        }

        if (format == "fhir")
        {
            await writer.WriteAsync("]}");
        }

        return Results.Empty;
    }

    private static async Task<IResult> SubjectAccess(string nhsNumber, IQuerySession session, NpgsqlDataSource database, AuditSchema schema, CancellationToken ct)
    {
        if (PatientAccess.ParseNhsNumber(nhsNumber, out var patient) is { } invalid)
        {
            return invalid;
        }

        var record = await session.LoadCurrentAsync(patient, ct);
        var numbers = record.Supersedes.Prepend(record.Id).Append(patient.Value).Distinct().ToArray();
        var accesses = new List<AuditEntry>();
        await using (var command = database.CreateCommand(
            $"select {AuditRows.Columns} from {schema.Table} where nhs_number = any(@n) order by seq"))
        {
            command.Parameters.AddWithValue("n", numbers);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                accesses.Add(AuditRows.Read(reader));
            }
        }

        var timeline = await PatientTimeline.LoadAsync(session, record, ct);
        return TypedResults.Ok(new SubjectAccessReport(record.Id, numbers, [.. timeline.Events.Where(e => e.Data is Records.IPatientEvent).Select(HistoryEntry.From)], accesses));
    }

    /// <summary>Everything recorded about one patient: the numbers they are known by, every change (as the history shows it), every audit entry.</summary>
    public sealed record SubjectAccessReport(string NhsNumber, IReadOnlyList<string> Numbers, IReadOnlyList<HistoryEntry> Changes, IReadOnlyList<AuditEntry> Entries);

    private static string Csv(AuditEntry e) => string.Join(',', new[]
    {
        e.Sequence.ToString(CultureInfo.InvariantCulture), e.RecordedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture), e.Kind, e.Action, e.Actor, e.ActorRole,
        e.NhsNumber ?? "", e.Purpose ?? "", e.Outcome.ToString(CultureInfo.InvariantCulture), e.RequestId, e.Details, e.PreviousHash, e.Hash,
    }.Select(Quote));

    /// <summary>
    /// A CSV cell, quoted where needed; one that a spreadsheet would run as a formula (=, +, -, @, tab or CR first) gets a
    /// leading apostrophe, so an actor named "=HYPERLINK(...)" is shown, not run. The NDJSON export is the verifiable one.
    /// </summary>
    private static string Quote(string field)
    {
        if (field.Length > 0 && field[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            field = "'" + field;
        }

        return field.IndexOfAny([',', '"', '\n', '\r']) < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

}
