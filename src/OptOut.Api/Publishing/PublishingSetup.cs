namespace OptOut.Publishing;

public static class PublishingSetup
{
    /// <summary>
    /// The outbox relay, outside the daemon: it publishes everything committed since its last page, so its pages grow with
    /// the load instead of one per advance of the high-water mark (see ChangePublisher).
    /// </summary>
    public static IServiceCollection AddPublishing(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddHostedService<ChangePublisher>();
        services.AddOptions<PublishingOptions>().Bind(configuration.GetSection("Publishing"));
        return services;
    }
}
