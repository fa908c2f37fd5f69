using Hl7.Fhir.Model;

namespace OptOut.Fhir;

/// <summary>What this FHIR server supports, at /fhir/r4/metadata, so a FHIR client can discover it.</summary>
public static class Capabilities
{
    public static CapabilityStatement Statement(string baseUrl, DateTimeOffset now) => new()
    {
        Status = PublicationStatus.Active,
        DateElement = new FhirDateTime(now),
        Kind = CapabilityStatementKind.Instance,
        Software = new CapabilityStatement.SoftwareComponent { Name = "OptOut" },
        Implementation = new CapabilityStatement.ImplementationComponent { Description = "OptOut: national data opt-outs, Type 1 opt-outs and consents", Url = baseUrl },
        FhirVersion = FHIRVersion.N4_0_1,
        Format = ["json"],
        Rest =
        [
            new CapabilityStatement.RestComponent
            {
                Mode = CapabilityStatement.RestfulCapabilityMode.Server,
                Security = new CapabilityStatement.SecurityComponent
                {
                    Service = [new CodeableConcept("http://terminology.hl7.org/CodeSystem/restful-security-service", "OAuth")],
                    Description = "Bearer tokens from the configured OpenID Connect issuer. Patients read their own record; pipelines and data-protection officers any.",
                },
                Resource =
                [
                    new CapabilityStatement.ResourceComponent
                    {
                        Type = "Consent",
                        Interaction =
                        [
                            new CapabilityStatement.ResourceInteractionComponent { Code = CapabilityStatement.TypeRestfulInteraction.Read },
                            new CapabilityStatement.ResourceInteractionComponent { Code = CapabilityStatement.TypeRestfulInteraction.SearchType },
                        ],
                        SearchParam =
                        [
                            new CapabilityStatement.SearchParamComponent
                            {
                                Name = "patient",
                                Definition = "http://hl7.org/fhir/SearchParameter/Consent-patient",
                                Type = SearchParamType.Reference,
                                Documentation = $"Patient/N or N; with :identifier, {ConsentResources.NhsNumberSystem}|N.",
                            },
                            new CapabilityStatement.SearchParamComponent
                            {
                                Name = "status",
                                Definition = "http://hl7.org/fhir/SearchParameter/Consent-status",
                                Type = SearchParamType.Token,
                                Documentation = "One code, or any of several separated by commas (status=active,inactive).",
                            },
                        ],
                    },
                ],
            },
        ],
    };
}
