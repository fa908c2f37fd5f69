using System.Text.Json;
using Hl7.Fhir.Model;

namespace OptOut.Fhir;

/// <summary>
/// Under /fhir every problem, the framework's 401 and 403 included, is written as a FHIR OperationOutcome in
/// application/fhir+json, which is what FHIR clients parse. The problem's type travels as the issue's code.
/// </summary>
public sealed class FhirProblemWriter : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => context.HttpContext.Request.Path.StartsWithSegments(FhirEndpoints.Base);

    public async ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        Problems.Complete(problem, context.HttpContext);
        var outcome = Outcome(OperationOutcome.IssueSeverity.Error, IssueType(problem.Status ?? 500), problem.Detail!);
        outcome.Issue[0].Details!.Coding = [new Coding("https://optout.nhs.uk/problems", problem.Type!.Replace("/problems/", "", StringComparison.Ordinal), problem.Title)];
        var http = context.HttpContext;
        http.Response.ContentType = FhirEndpoints.MediaType;
        await http.Response.WriteAsync(JsonSerializer.Serialize(outcome, FhirEndpoints.Json), http.RequestAborted);
    }

    public static OperationOutcome Outcome(OperationOutcome.IssueSeverity severity, OperationOutcome.IssueType type, string text) => new()
    {
        Issue = [new OperationOutcome.IssueComponent { Severity = severity, Code = type, Details = new CodeableConcept { Text = text }, Diagnostics = text }],
    };

    private static OperationOutcome.IssueType IssueType(int status) => status switch
    {
        401 => OperationOutcome.IssueType.Login,
        403 => OperationOutcome.IssueType.Forbidden,
        404 => OperationOutcome.IssueType.NotFound,
        406 or 415 => OperationOutcome.IssueType.NotSupported,
        412 or 409 => OperationOutcome.IssueType.Conflict,
        413 => OperationOutcome.IssueType.TooLong,
        429 => OperationOutcome.IssueType.Throttled,
        >= 500 => OperationOutcome.IssueType.Exception,
        _ => OperationOutcome.IssueType.Invalid,
    };
}
