using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using OptOut.Idempotency;
using OptOut.Patients;
using OptOut.Publishing;
using Weasel.Core;

namespace OptOut.Hosting;

public static class EventStoreSetup
{
    public static IServiceCollection AddEventStore(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString("Marten")
            ?? throw new InvalidOperationException("ConnectionStrings:Marten is not set.");

        services.AddMarten(opts =>
            {
                opts.Connection(connectionString);
                opts.DatabaseSchemaName = configuration["EventStore:Schema"] ?? "optout";

                // One stream per patient, keyed by the ten-digit NHS number itself.
                opts.Events.StreamIdentity = StreamIdentity.AsString;

                // The audit trail shows who and why: keep correlation, causation and headers with each event.
                opts.Events.MetadataConfig.CorrelationIdEnabled = true;
                opts.Events.MetadataConfig.CausationIdEnabled = true;
                opts.Events.MetadataConfig.HeadersEnabled = true;

                // Enums as their names so stored events stay readable and survive reordering an enum.
                opts.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);

                // Reads of current preferences load one document instead of replaying the stream.
                opts.Projections.Snapshot<PatientPreferences>(SnapshotLifecycle.Inline);

                // Consent expiry asks "whose consent has run out?" across every patient: keep that an index scan.
                opts.Schema.For<PatientPreferences>().Index(p => p.NextConsentExpiry);

                opts.Schema.For<IdempotentResponse>();
            })
            // Lightweight sessions: the decider never relies on an identity map.
            .UseLightweightSessions()
            // HotCold: with several instances one leader runs the publisher, so each event is published once.
            .AddAsyncDaemon(DaemonMode.HotCold)
            .AddSubscriptionWithServices<ChangePublisher>(ServiceLifetime.Singleton)
            .ApplyAllDatabaseChangesOnStartup();

        services.AddOptions<PublishingOptions>().Bind(configuration.GetSection("Publishing"));
        return services;
    }
}
