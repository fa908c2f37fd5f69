using Marten;

namespace OptOut.Indexing;

public static class IndexingSetup
{
    /// <summary>The opt-out index: one per instance, loaded from its last checkpoint at start-up and following the event store.</summary>
    public static IServiceCollection AddOptOutIndex(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<OptOutIndex>();
        services.Configure<OptOutIndexOptions>(configuration.GetSection("OptOutIndex"));
        services.AddHostedService<OptOutIndexFollower>();
        // Start-up reads the opt-out index from its last checkpoint instead of from every snapshot.
        services.ConfigureMarten(opts => opts.Storage.ExtendedSchemaObjects.Add(OptOutIndexCheckpoint.Definition(opts.DatabaseSchemaName)));
        return services;
    }
}
