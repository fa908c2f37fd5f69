using Firely.Fhir.Validation;
using Hl7.Fhir.Model;
using Hl7.Fhir.Specification.Source;
using Hl7.Fhir.Specification.Terminology;

namespace OptOut.IntegrationTests.Fhir;

/// <summary>Firely's validator against the FHIR R4 core profiles that the specification package ships (no network).</summary>
public static class FhirValidation
{
    private static readonly Lazy<IAsyncResourceResolver> Core = new(() => new CachedResolver(ZipSource.CreateValidationSource()));

    /// <summary>Errors and fatal issues only; a validator per call, since it is not thread-safe.</summary>
    public static IReadOnlyList<string> Errors(Resource resource)
    {
        var validator = new Validator(Core.Value, LocalTerminologyService.CreateDefaultForCore(Core.Value));
        var outcome = validator.Validate(resource);
        return [.. outcome.Issue
            .Where(i => i.Severity is OperationOutcome.IssueSeverity.Error or OperationOutcome.IssueSeverity.Fatal)
            .Select(i => $"{i.Code} at {string.Join(",", i.Expression ?? [])}: {i.Details?.Text ?? i.Diagnostics}")];
    }
}
