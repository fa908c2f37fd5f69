using MassTransit;

namespace OptOut.Hosting;

public static class MessagingSetup
{
    public static IServiceCollection AddMessaging(this IServiceCollection services, IConfiguration configuration)
    {
        var broker = new Uri(configuration.GetConnectionString("RabbitMq")
            ?? throw new InvalidOperationException("ConnectionStrings:RabbitMq is not set."));

        services.AddMassTransit(bus =>
        {
            // Health data services do not report usage to third parties, and this network reaches none.
            bus.DisableUsageTelemetry();
            bus.UsingRabbitMq((_, rabbit) => rabbit.Host(broker.Host, (ushort)(broker.IsDefaultPort ? 5672 : broker.Port), VirtualHost(broker), host =>
            {
                var userInfo = broker.UserInfo.Split(':', 2);
                host.Username(Uri.UnescapeDataString(userInfo[0]));
                host.Password(userInfo.Length > 1 ? Uri.UnescapeDataString(userInfo[1]) : "");
                // Publisher confirms are what lets the outbox relay advance only after the broker has the message.
                host.PublisherConfirmation = true;
            }));
        });

        // The service starts and accepts changes while the broker is down; readiness reports the outage.
        services.Configure<MassTransitHostOptions>(o => o.WaitUntilStarted = false);
        return services;
    }

    private static string VirtualHost(Uri broker) =>
        broker.AbsolutePath is "" or "/" ? "/" : Uri.UnescapeDataString(broker.AbsolutePath.TrimStart('/'));
}
