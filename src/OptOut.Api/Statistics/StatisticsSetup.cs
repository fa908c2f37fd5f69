using JasperFx.Events.Projections;
using Marten;

namespace OptOut.Statistics;

public static class StatisticsSetup
{
    /// <summary>
    /// The statistics are counters kept by an async projection: a change never waits for them, and a rebuild empties both
    /// tables and replays every event into them.
    /// </summary>
    public static IServiceCollection AddStatistics(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<StatisticsReader>();
        services.AddSingleton<StatisticsRebuild>();
        services.Configure<SmallNumberSuppression>(configuration.GetSection("Statistics:Suppression"));
        services.ConfigureMarten(opts =>
        {
            var statistics = new StatisticsTables(opts.DatabaseSchemaName);
            foreach (var table in statistics.Definitions())
            {
                opts.Storage.ExtendedSchemaObjects.Add(table);
            }

            opts.Projections.Add(new StatisticsProjection(statistics), ProjectionLifecycle.Async, StatisticsProjection.Name, async =>
            {
                async.BatchSize = 5_000;
                async.DeleteDataInTableOnTeardown(statistics.Monthly);
                async.DeleteDataInTableOnTeardown(statistics.ByPractice);
            });
        });
        return services;
    }
}
