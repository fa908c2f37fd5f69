using Microsoft.Extensions.Options;
using OptOut.Security;

namespace OptOut.Statistics;

public static class StatisticsEndpoints
{
    public static void MapStatistics(this IEndpointRouteBuilder api)
    {
        api.MapGet("/statistics", ReadAsync)
            .WithName("GetStatistics")
            .WithSummary("Monthly figures: national data opt-outs in force, set and withdrawn (in all, by patients or proxies, by channel), Type 1 opt-outs in force (in all and by practice) and consents by purpose and state.")
            .WithDescription("Months are calendar months in UK time, by when OptOut recorded each change. sequence is the last event the figures include.")
            .Produces<StatisticsReport>()
            .RequireAuthorization(p => p.RequireRole(Roles.Dpo));

        api.MapGet("/statistics/national", NationalAsync)
            .WithName("GetNationalStatistics")
            .WithSummary("The national figures the public sees, without sign-in: opt-outs in force, set and withdrawn each month, with small-number suppression (a withheld count is null).")
            .Produces<NationalStatistics>()
            .AllowAnonymous();

        api.MapPost("/statistics/rebuild", RebuildAsync)
            .WithName("RebuildStatistics")
            .WithSummary("Empty the statistics and rebuild them from every event; answers with the rebuilt figures. Safe to repeat.")
            .Produces<StatisticsReport>()
            .RequireAuthorization(p => p.RequireRole(Roles.Dpo))
            .WithRequestTimeout(Http.RequestTimeLimits.LongRunning);
    }

    private static async Task<Ok<StatisticsReport>> ReadAsync(StatisticsReader reader, CancellationToken ct) =>
        TypedResults.Ok(await reader.ReadAsync(ct));

    private static async Task<Ok<NationalStatistics>> NationalAsync(StatisticsReader reader, IOptions<SmallNumberSuppression> suppression, CancellationToken ct) =>
        TypedResults.Ok(StatisticsReader.National(await reader.ReadAsync(ct), suppression.Value));

    private static async Task<Ok<StatisticsReport>> RebuildAsync(StatisticsRebuild rebuild, StatisticsReader reader, CancellationToken ct)
    {
        await rebuild.RunAsync(ct);
        return TypedResults.Ok(await reader.ReadAsync(ct));
    }
}
