namespace OptOut.Audit;

public static class AuditSetup
{
    /// <summary>The hash-chained trail, its signed checkpoints and its verifier; the log chains in the background.</summary>
    public static IServiceCollection AddAuditTrail(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<AuditOptions>(configuration.GetSection("Audit"));
        services.AddSingleton<AuditSchema>();
        services.AddSingleton<AuditCheckpoints>();
        services.AddSingleton<AuditPartitions>();
        services.AddSingleton<AuditVerifier>();
        services.AddSingleton<ChainLeadership>();
        services.AddSingleton<AuditLog>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditLog>());
        services.AddOptions<Transparency.TransparencyLogOptions>().Bind(configuration.GetSection("Audit:Log"))
            .Validate(o => o.MapCacheNodes > 0 && o.MapStepEntries > 0, "Audit:Log:MapCacheNodes and Audit:Log:MapStepEntries must be above 0")
            .ValidateOnStart();
        services.AddSingleton<Transparency.LogKey>();
        services.AddSingleton<Transparency.LogTree>();
        services.AddSingleton<Transparency.PatientMapStore>();
        services.AddSingleton<Transparency.LogProofService>();
        services.AddSingleton<Transparency.LogProgress>();
        services.AddHostedService<Transparency.LogSequencer>();
        services.AddHttpClient(Transparency.WitnessClient.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(5));
        services.AddHostedService<Transparency.WitnessClient>();
        return services;
    }
}
