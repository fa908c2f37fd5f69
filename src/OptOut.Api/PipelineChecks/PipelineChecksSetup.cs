using Marten;

namespace OptOut.PipelineChecks;

public static class PipelineChecksSetup
{
    /// <summary>Bulk checks keep a summary each (never the numbers themselves), as a document.</summary>
    public static IServiceCollection AddPipelineChecks(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<OptOutCheckOptions>(configuration.GetSection("OptOutChecks"));
        services.ConfigureMarten(opts => opts.Schema.For<OptOutCheck>());
        return services;
    }
}
