using Marten;

namespace OptOut.Migration;

public static class MigrationSetup
{
    /// <summary>The importer of opt-outs from the previous system, and its record of each file imported.</summary>
    public static IServiceCollection AddMigration(this IServiceCollection services)
    {
        services.AddSingleton<OptOutImporter>();
        services.ConfigureMarten(opts => opts.Schema.For<OptOutImport>());
        return services;
    }
}
