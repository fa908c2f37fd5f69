using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace OptOut.Hosting.OpenApi;

/// <summary>
/// What every operation shares, said once: the problems it can answer (with the problem schema), the headers it
/// takes and returns, the roles that may call it, and the catalogue's closed sets for purpose, data source and
/// legal basis. So the document is complete without each endpoint repeating it.
/// </summary>
public sealed class OperationContract(IOptions<Records.ChoiceCatalogue> catalogue) : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var path = "/" + context.ApiDescription.RelativePath;
        if (!path.StartsWith("/v1/", StringComparison.Ordinal) && !path.StartsWith("/fhir/", StringComparison.Ordinal))
        {
            return;
        }

        var method = context.ApiDescription.HttpMethod ?? "GET";
        var write = method is "PUT" or "POST" or "DELETE";
        var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
        var anonymous = metadata.OfType<IAllowAnonymous>().Any();
        var roles = metadata.OfType<AuthorizationPolicy>().SelectMany(p => p.Requirements).OfType<RolesAuthorizationRequirement>()
            .SelectMany(r => r.AllowedRoles).Distinct().Order(StringComparer.Ordinal).ToList();
        operation.Parameters ??= [];
        operation.Responses ??= [];

        // Who may call: the roles a policy names, "anyone" without sign-in, or "signed-in" for any authenticated caller.
        roles = roles.Count > 0 ? roles : [anonymous ? "anyone" : "signed-in"];
        if (anonymous)
        {
            // The document asks for a bearer token everywhere; an empty list says this operation needs none.
            operation.Security = [];
        }

        {
            operation.Description = $"{operation.Description}\n\nRoles: {string.Join(", ", roles)}.".Trim();
            operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
            operation.Extensions["x-roles"] = new JsonNodeExtension(new JsonArray([.. roles.Select(r => JsonValue.Create(r))]));
        }

        // Parameters the endpoint reads from the query itself (a shared filter), which the handler's signature does not show.
        foreach (var read in metadata.OfType<Http.ReadsQuery>().SelectMany(r => r.Parameters).Where(r => !operation.Parameters.Any(p => p.Name == r.Name)))
        {
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = read.Name,
                In = ParameterLocation.Query,
                Description = read.Description,
                Schema = new OpenApiSchema { Type = read.Type == "integer" ? JsonSchemaType.Integer : JsonSchemaType.String },
            });
        }

        foreach (var parameter in operation.Parameters.OfType<OpenApiParameter>())
        {
            if (parameter.Schema is not OpenApiSchema schema)
            {
                continue;
            }

            if (ClosedSet(parameter.Name) is { } values)
            {
                schema.Enum = [.. values.Select(k => (JsonNode)JsonValue.Create(k))];
            }

            // Instants bound as text (read by Contracts.Instants); the log's consistency proof has a from and a to
            // that are checkpoint sizes, bound as numbers, and stay so.
            if (parameter.Name is "asOf" or "effectiveAt" or "from" or "to" && schema.Type == JsonSchemaType.String)
            {
                schema.Format = "date-time";
                parameter.Description = $"{parameter.Description} {char.ToUpperInvariant(Contracts.Instants.Shape[0])}{Contracts.Instants.Shape[1..]}.".TrimStart();
            }
        }

        Header(operation, "X-Purpose", "Why the caller wants the data, for the audit trail (or the purpose query parameter).");
        if (write)
        {
            Header(operation, "Idempotency-Key", "1 to 200 printable ASCII characters. A retry with the same key gets the first answer and records nothing.");
            Header(operation, "If-Match", "The quoted record version from an earlier ETag, for example \"3\": the write fails with 412 if the record has moved on. * matches any version.");
        }

        if (path.StartsWith("/fhir/", StringComparison.Ordinal) && method == "GET")
        {
            Header(operation, "Prefer", "handling=strict refuses unknown search parameters instead of reporting them.");
        }

        var problem = context.SchemaGenerator.GenerateSchema(typeof(ProblemDetails), context.SchemaRepository);
        var fhir = path.StartsWith("/fhir/", StringComparison.Ordinal);
        var hasInput = operation.Parameters.Count > 0 || operation.RequestBody is not null;
        var statuses = new List<int>();
        if (hasInput)
        {
            statuses.Add(400);
        }

        if (!anonymous)
        {
            statuses.AddRange([401, 403]);
        }

        if (path.Contains('{', StringComparison.Ordinal))
        {
            statuses.Add(404);
        }

        if (write)
        {
            statuses.AddRange([409, 412, 422]);
        }

        if (operation.RequestBody is not null)
        {
            statuses.AddRange([413, 415]);
        }

        statuses.AddRange([429, 503]);
        foreach (var status in statuses.Where(s => !operation.Responses.ContainsKey(s.ToString(System.Globalization.CultureInfo.InvariantCulture))))
        {
            operation.Responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new OpenApiResponse
            {
                Description = Http.Problems.All.First(k => k.Status == status).Title,
                Content = new Dictionary<string, IOpenApiMediaType>
                {
                    [fhir ? "application/fhir+json" : "application/problem+json"] = new OpenApiMediaType
                    {
                        Schema = fhir ? new OpenApiSchema { Type = JsonSchemaType.Object, Description = "A FHIR R4 OperationOutcome." } : problem,
                    },
                },
            };
        }

        foreach (var (status, response) in operation.Responses)
        {
            if (response is not OpenApiResponse r)
            {
                continue;
            }

            r.Headers ??= new Dictionary<string, IOpenApiHeader>();
            r.Headers["X-Request-Id"] = ResponseHeader("Names this request's entry in the audit trail.");
            if (status is "429" or "503")
            {
                r.Headers["Retry-After"] = ResponseHeader("Seconds to wait before retrying.");
            }

            if (status == "200" && write && path.StartsWith("/v1/patients/", StringComparison.Ordinal))
            {
                r.Headers["ETag"] = ResponseHeader("The record's version, quoted: send it as If-Match to make the next write conditional.");
                r.Headers["OptOut-Sequence"] = ResponseHeader("The global sequence of the event the write appended (absent when nothing changed); pass it as minSequence.");
                r.Headers["Idempotent-Replayed"] = ResponseHeader("true when this is the stored answer to an earlier request with the same Idempotency-Key.");
            }
        }
    }

    /// <summary>Query and path parameters whose values form a closed set: the catalogue's keys, or a fixed list.</summary>
    private IEnumerable<string>? ClosedSet(string? parameter) => parameter switch
    {
        "purpose" => catalogue.Value.Purposes.Keys,
        "dataSource" => catalogue.Value.DataSources.Keys,
        "legalBasis" => catalogue.Value.LegalBases.Keys,
        "kind" => ["change", "access"],
        _ => null,
    };

    private static void Header(OpenApiOperation operation, string name, string description) =>
        operation.Parameters!.Add(new OpenApiParameter
        {
            Name = name,
            In = ParameterLocation.Header,
            Required = false,
            Description = description,
            Schema = new OpenApiSchema { Type = JsonSchemaType.String },
        });

    private static OpenApiHeader ResponseHeader(string description) =>
        new() { Description = description, Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
}
