using Marten;
using OptOut.Security;

namespace OptOut.Migration;

/// <summary>An import run without its rejected rows, for the list.</summary>
public sealed record ImportSummary(string Id, string Caller, string Status, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt,
    string FileSha256, long Received, long Imported, long AlreadyPresent, long Invalid);

/// <summary>For staff: the imports run, newest first, and one import with its rejected rows and their reasons.</summary>
public static class ListImportsEndpoint
{
    private const int Listed = 100;

    public static void MapListImports(this IEndpointRouteBuilder api)
    {
        api.MapGet("/admin/opt-out-imports", ListAsync)
            .WithName("ListImports")
            .WithSummary("The latest 100 imports, newest first: who, when, the file's SHA-256 and what became of its rows.")
            .Produces<IReadOnlyList<ImportSummary>>()
            .RequireAuthorization(p => p.RequireRole(Roles.Admin, Roles.Dpo));

        api.MapGet("/admin/opt-out-imports/{id}", GetAsync)
            .WithName("GetImport")
            .WithSummary("One import with its rejected rows (line and reason; the first 1,000, with invalid counting them all).")
            .Produces<OptOutImport>()
            .RequireAuthorization(p => p.RequireRole(Roles.Admin, Roles.Dpo));
    }

    private static async Task<Ok<IReadOnlyList<ImportSummary>>> ListAsync(IQuerySession session, CancellationToken ct)
    {
        var runs = await session.Query<OptOutImport>().OrderByDescending(i => i.Id).Take(Listed)
            .Select(i => new ImportSummary(i.Id, i.Caller, i.Status, i.StartedAt, i.FinishedAt, i.FileSha256, i.Received, i.Imported, i.AlreadyPresent, i.Invalid))
            .ToListAsync(ct);
        return TypedResults.Ok<IReadOnlyList<ImportSummary>>(runs);
    }

    private static async Task<Results<Ok<OptOutImport>, ProblemHttpResult>> GetAsync(string id, IQuerySession session, CancellationToken ct) =>
        (Guid.TryParse(id, out _) ? await session.LoadAsync<OptOutImport>(id, ct) : null) is { } run
            ? TypedResults.Ok(run)
            : Problems.Of(Problems.NotFound, "No import with this id.");
}
