using MassTransit;

namespace OptOut.Hosting;

public static class MessagingSetup
{
    public static IServiceCollection AddMessaging(this IServiceCollection services, IConfiguration configuration)
    {
        var broker = BrokerAddress.From(configuration);
        services.AddMassTransit(bus =>
        {
            // Health data services do not report usage to third parties, and this network reaches none.
            bus.DisableUsageTelemetry();
            bus.UsingRabbitMq((_, rabbit) => rabbit.Host(broker.Nodes[0].Host, (ushort)broker.Nodes[0].Port, broker.VirtualHost, host =>
            {
                host.Username(broker.UserName);
                host.Password(broker.Password);
                // Publisher confirms are what lets the outbox relay advance only after the broker has the message.
                host.PublisherConfirmation = true;
                if (broker.Nodes.Count > 1)
                {
                    // A cluster: the connection (and so publishing) moves to another node when its node is lost.
                    host.UseCluster(cluster => broker.Nodes.ToList().ForEach(n => cluster.Node($"{n.Host}:{n.Port}")));
                }
            }));
        });

        // The service starts and accepts changes while the broker is down; readiness reports the outage.
        services.Configure<MassTransitHostOptions>(o => o.WaitUntilStarted = false);
        return services;
    }
}
