namespace OptOut.Consents;

public static class ConsentsSetup
{
    /// <summary>Consents end by themselves: the expiry worker records each one whose period has run out.</summary>
    public static IServiceCollection AddConsents(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<ConsentExpiryOptions>(configuration.GetSection("ConsentExpiry"));
        services.AddHostedService<ConsentExpiryWorker>();
        return services;
    }
}
