using Marten;
using OptOut.Security;

namespace OptOut.PipelineChecks;

/// <summary>A page of bulk checks, newest first; <c>before</c> fetches the next (older) page.</summary>
public sealed record CheckPage(IReadOnlyList<OptOutCheck> Checks, string? Before);

/// <summary>
/// For staff: the bulk checks run (who, when, purpose, counts and the list's SHA-256), newest first, keyset-paged on the
/// check id, which is a version 7 UUID and so sorts by when the check started.
/// </summary>
public static class ListChecksEndpoint
{
    private const int MaxPage = 200;

    public static void MapListChecks(this IEndpointRouteBuilder api) =>
        api.MapGet("/opt-out-checks", Handle)
            .WithName("ListChecks")
            .WithSummary("The bulk checks run, newest first: caller, time, purpose, counts and the submitted list's SHA-256.")
            .WithDescription("Keyset paged: pass the response's before to get older checks; limit is 1 to 200 (default 50).")
            .Produces<CheckPage>()
            .RequireAuthorization(p => p.RequireRole(Roles.Admin, Roles.Dpo));

    private static async Task<Results<Ok<CheckPage>, ProblemHttpResult>> Handle(string? before, int? limit, IQuerySession session, CancellationToken ct)
    {
        if (before is not null && !Guid.TryParse(before, out _))
        {
            return Problems.Of(Problems.InvalidQuery, "before is a check id from an earlier page.");
        }

        if (QueryRanges.Outside("limit", limit, 1, MaxPage) is { } range)
        {
            return Problems.Of(Problems.InvalidQuery, range);
        }

        var size = limit ?? 50;
        var query = session.Query<OptOutCheck>().AsQueryable();
        if (before is not null)
        {
            query = query.Where(c => string.Compare(c.Id, before) < 0);
        }

        var checks = await query.OrderByDescending(c => c.Id).Take(size + 1).ToListAsync(ct);
        return TypedResults.Ok(checks.Count > size ? new CheckPage([.. checks.Take(size)], checks[size - 1].Id) : new CheckPage(checks, null));
    }
}
