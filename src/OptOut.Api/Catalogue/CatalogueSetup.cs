using OptOut.Records;

namespace OptOut.Catalogue;

public static class CatalogueSetup
{
    /// <summary>The purposes, data sources and legal bases the rules know, from configuration (section "Catalogue").</summary>
    public static IServiceCollection AddCatalogue(this IServiceCollection services, IConfiguration configuration) =>
        services.Configure<ChoiceCatalogue>(configuration.GetSection("Catalogue"));
}
