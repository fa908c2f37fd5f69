using Microsoft.AspNetCore.Http.Metadata;

namespace OptOut.Http;

/// <summary>
/// The query parameters an endpoint reads itself from the query string (rather than as handler parameters), so
/// <see cref="KnownQueryParameters"/> counts them as known and the OpenAPI document lists them.
/// </summary>
public sealed record ReadsQuery(params QueryParameter[] Parameters)
{
    public IEnumerable<string> Names => Parameters.Select(p => p.Name);
}

/// <summary>One such parameter: its name, what it means, and its JSON schema type ("string" or "integer").</summary>
public sealed record QueryParameter(string Name, string Description, string Type = "string");

/// <summary>
/// A query parameter no endpoint reads is refused with a 400 naming it and those the endpoint takes. Ignored, a typo
/// changes the question without a word: minSequnce=48 dropped the read-your-writes wait a pipeline asked for, and a DPO's
/// audit search with nhs= instead of nhsNumber= returned everyone's entries. (FHIR's search has its own rule: unknown
/// parameters reported, or refused under Prefer: handling=strict.) A parameter given twice is refused too: no endpoint
/// here takes a list from the query, and binding would read actor=a&amp;actor=b as the one actor "a,b".
/// </summary>
public static class KnownQueryParameters
{
    /// <summary>Each endpoint's names, worked out once (look-ups with minSequence come thousands a second).</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<RouteEndpoint, HashSet<string>> TakenBy = [];

    /// <summary>Any endpoint's: the purpose a caller states for the audit trail (or X-Purpose).</summary>
    private static readonly string[] Everywhere = ["purpose"];

    public static ValueTask<object?> RefuseUnknownOrRepeatedAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (http.Request.Query.Count > 0 && http.GetEndpoint() is RouteEndpoint endpoint)
        {
            var taken = TakenBy.GetValue(endpoint, Taken);
            var unknown = http.Request.Query.Keys.Where(k => !taken.Contains(k) && !Everywhere.Contains(k, StringComparer.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal).ToList();
            var repeated = http.Request.Query.Where(q => q.Value.Count > 1).Select(q => q.Key).Order(StringComparer.Ordinal).ToList();
            if (unknown.Count == 0 && repeated.Count > 0)
            {
                return ValueTask.FromResult<object?>(Problems.Of(Problems.InvalidQuery,
                    $"{string.Join(", ", repeated.Select(r => $"'{r}'"))} {(repeated.Count > 1 ? "are each" : "is")} given more than once: give each parameter once."));
            }

            if (unknown.Count > 0)
            {
                return ValueTask.FromResult<object?>(Problems.Of(Problems.InvalidQuery,
                    $"Unknown query parameter{(unknown.Count > 1 ? "s" : "")} {string.Join(", ", unknown.Select(u => $"'{u}'"))}: " +
                    (taken.Count == 0 ? "this endpoint takes none." : $"this endpoint takes {string.Join(", ", taken.Order(StringComparer.Ordinal))}.")));
            }
        }

        return next(context);
    }

    /// <summary>
    /// What the endpoint reads from the query: its handler's parameters that bind from text (a string, or a type with
    /// TryParse) and are not in the route, and what it names in <see cref="ReadsQuery"/>. Matched without regard to
    /// case, as binding is.
    /// </summary>
    private static HashSet<string> Taken(RouteEndpoint endpoint)
    {
        var route = endpoint.RoutePattern.Parameters.Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var taken = endpoint.Metadata.OfType<IParameterBindingMetadata>()
            .Select(p => (Parameter: p, FromQuery: p.ParameterInfo.GetCustomAttributes(true).OfType<IFromQueryMetadata>().FirstOrDefault()))
            .Where(p => p.FromQuery is not null || ((p.Parameter.HasTryParse || p.Parameter.ParameterInfo.ParameterType == typeof(string)) && !route.Contains(p.Parameter.Name)))
            // [AsParameters] properties are named as properties ("MinSequence"); their [FromQuery] says how the query spells them.
            .Select(p => p.FromQuery?.Name ?? p.Parameter.Name)
            .Concat(endpoint.Metadata.OfType<ReadsQuery>().SelectMany(r => r.Names));
        return new HashSet<string>(taken, StringComparer.OrdinalIgnoreCase);
    }
}
