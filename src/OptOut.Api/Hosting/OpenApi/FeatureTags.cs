using System.Reflection;
using Microsoft.AspNetCore.Mvc.ApiExplorer;

namespace OptOut.Hosting.OpenApi;

/// <summary>Operations are tagged by the feature folder their handler lives in, named for people, not after C# classes.</summary>
public static class FeatureTags
{
    public static readonly IReadOnlyList<(string Folder, string Name, string Description)> All =
    [
        ("NationalDataOptOut", "National data opt-out", "Set or withdraw a patient's national data opt-out (research and planning)."),
        ("Type1OptOut", "Type 1 opt-out", "GP practices record or withdraw a Type 1 opt-out under their own ODS code."),
        ("Consents", "Consents", "Permit, refuse or withdraw consent for a catalogue purpose, with an optional period."),
        ("Proxies", "Proxies", "Staff authorise or revoke a proxy (GUARDIAN, POA, COURTDEP) for a patient."),
        ("Supersession", "Supersession", "Staff record that an NHS number was merged into another."),
        ("Patients", "Patient record", "A patient's current choices, the choices in force with the events they rest on, and the full history."),
        ("UseDecisions", "Decisions", "May this record be used for this purpose, data source and legal basis? With the rules that decided."),
        ("PipelineChecks", "Pipeline checks", "The opt-out index, bulk checks of lists of NHS numbers, and the change feed."),
        ("Migration", "Imports", "Migrate existing opt-outs into OptOut."),
        ("Audit", "Audit trail", "Search, export and verify the tamper-evident audit trail; subject access."),
        ("Fhir", "FHIR R4", "Choices as FHIR R4 Consent resources; errors as OperationOutcome."),
        ("Http", "Problem types", "What each RFC 9457 problem type means."),
        ("Hosting", "Health", "Liveness and readiness."),
    ];

    public static string For(ApiDescription api)
    {
        var handler = api.ActionDescriptor.EndpointMetadata.OfType<MethodInfo>().FirstOrDefault();
        var folder = handler?.DeclaringType?.Namespace?.Split('.') is [_, var feature, ..] ? feature : "";
        return All.FirstOrDefault(t => t.Folder == folder).Name ?? "Other";
    }
}
