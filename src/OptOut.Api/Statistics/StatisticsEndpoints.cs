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
            .WithDescription("Months are calendar months in UK time, by when OptOut recorded each change. sequence is the last event the figures include. While a rebuild replays, rebuilding says how far it has got and the figures are those kept when it began.")
            .Produces<StatisticsReport>()
            .RequireAuthorization(p => p.RequireRole(Roles.Dpo));

        api.MapGet("/statistics/national", NationalAsync)
            .WithName("GetNationalStatistics")
            .WithSummary("The national figures the public sees, without sign-in: opt-outs in force, set and withdrawn each month, with small-number suppression (a withheld count is null).")
            .Produces<NationalStatistics>()
            .AllowAnonymous();

        api.MapPost("/statistics/rebuild", RebuildAsync)
            .WithName("RebuildStatistics")
            .WithSummary("Begin rebuilding the statistics from every event; answers 202 with the figures, whose rebuilding says how far the replay has got. Safe to repeat.")
            .WithDescription("The replay takes minutes for the whole country. Until it reaches the last event stored when it began, GET /v1/statistics and the public figures give the figures kept when it began (sequence says up to which event), then the rebuilt ones. Asked for while one replays, it joins that one.")
            .Produces<StatisticsReport>(202)
            .RequireAuthorization(p => p.RequireRole(Roles.Dpo));
    }

    private static async Task<Ok<StatisticsReport>> ReadAsync(StatisticsReader reader, CancellationToken ct) =>
        TypedResults.Ok(await reader.ReadAsync(ct));

    private static async Task<Ok<NationalStatistics>> NationalAsync(StatisticsReader reader, IOptions<SmallNumberSuppression> suppression, CancellationToken ct) =>
        TypedResults.Ok(StatisticsReader.National(await reader.ReadAsync(ct), suppression.Value));

    private static async Task<Accepted<StatisticsReport>> RebuildAsync(StatisticsRebuild rebuild, StatisticsReader reader, CancellationToken ct)
    {
        await rebuild.BeginAsync(ct);
        return TypedResults.Accepted("/v1/statistics", await reader.ReadAsync(ct));
    }
}
