namespace OptOut.Fhir;

/// <summary>
/// This server speaks FHIR in JSON only (its CapabilityStatement's format). A client that asks for XML, by _format or
/// Accept, gets a 406 OperationOutcome saying so, rather than JSON it would try to parse as XML.
/// </summary>
public static class FhirFormat
{
    private static readonly string[] JsonFormats = ["json", "application/json", FhirEndpoints.MediaType, "application/json+fhir"];

    public static ValueTask<object?> RefuseAllButJsonAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var request = context.HttpContext.Request;
        var format = request.Query["_format"];
        var asked = format.Count > 0
            ? format.All(f => JsonFormats.Contains(f?.Split(';')[0].Trim(), StringComparer.OrdinalIgnoreCase))
            : request.GetTypedHeaders().Accept is not { Count: > 0 } accept || accept.Any(a => a.Quality is not 0 && TakesJson(a.MediaType.Value));
        return asked
            ? next(context)
            : ValueTask.FromResult<object?>(Http.Problems.Of(Http.Problems.NotAcceptable,
                $"This server answers in JSON only: {FhirEndpoints.MediaType} (_format=json). {(format.Count > 0 ? "_format" : "Accept")} asked for something else."));
    }

    private static bool TakesJson(string? mediaType) =>
        mediaType is "*/*" or "application/*" || JsonFormats.Contains(mediaType, StringComparer.OrdinalIgnoreCase);
}
