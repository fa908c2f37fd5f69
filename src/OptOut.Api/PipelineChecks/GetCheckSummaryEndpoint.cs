using Marten;
using OptOut.Security;

namespace OptOut.PipelineChecks;

public static class GetCheckSummaryEndpoint
{
    public static void MapGetCheckSummary(this IEndpointRouteBuilder api) =>
        api.MapGet("/opt-out-checks/{id}", Handle)
            .WithName("GetCheckSummary")
            .WithSummary("A bulk check's summary: received, kept, removed, invalid (with the first invalid lines and reasons), the rules and the event sequence it reflects.")
            .RequireAuthorization(p => p.RequireRole(Roles.Pipeline, Roles.Admin, Roles.Dpo));

    private static async Task<Results<Ok<OptOutCheck>, ProblemHttpResult>> Handle(string id, IQuerySession session, HttpContext http, CancellationToken ct)
    {
        var caller = Caller.From(http.User);
        var check = Guid.TryParse(id, out _) ? await session.LoadAsync<OptOutCheck>(id, ct) : null;

        // A pipeline sees its own checks only; another's is as good as absent.
        if (check is null || (caller.Role == Roles.Pipeline && check.Caller != caller.Subject))
        {
            return Problems.Of(Problems.NotFound, caller.Role == Roles.Pipeline ? "No bulk check with this id was made by you." : "No bulk check has this id.");
        }

        return TypedResults.Ok(check);
    }
}
