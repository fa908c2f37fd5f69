namespace OptOut.Http;

/// <summary>Every problem's type URI is a path here, so a client (or a person) can look up what it means.</summary>
public static class ProblemTypesEndpoint
{
    public sealed record ProblemTypeDescription(string Type, int Status, string Title, string Description);

    public static void MapProblemTypes(this IEndpointRouteBuilder app)
    {
        var problems = app.MapGroup("/problems").WithTags("Problem types");
        problems.MapGet("/", () => TypedResults.Ok(Problems.All.Select(Describe)))
            .WithName("ListProblemTypes")
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithSummary("Every kind of problem OptOut answers with: its type URI, status, title and meaning.");
        problems.MapGet("/{slug}", Results<Ok<ProblemTypeDescription>, ProblemHttpResult> (string slug) =>
                Problems.All.FirstOrDefault(k => k.Slug == slug) is { } kind
                    ? TypedResults.Ok(Describe(kind))
                    : Problems.Of(Problems.NotFound, $"No problem type '{slug}'. GET /problems lists them all."))
            .WithName("GetProblemType")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("What one kind of problem means.");
    }

    private static ProblemTypeDescription Describe(ProblemKind kind) => new(kind.Type, kind.Status, kind.Title, kind.Description);
}
