using JasperFx.Events;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Weasel.Core;
using OptOut.Records;

namespace OptOut.EventStore;

public static class EventStoreSetup
{
    public static IServiceCollection AddEventStore(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = WithSessionSettings(configuration.GetConnectionString("Marten")
            ?? throw new InvalidOperationException("ConnectionStrings:Marten is not set."));

        services.AddSingleton<AppendNotifier>();
        services.AddHostedService(sp => sp.GetRequiredService<AppendNotifier>());
        services.AddMarten(opts => Configure(opts, connectionString, configuration["EventStore:Schema"] ?? "optout"))
            // Lightweight sessions: the decider never relies on an identity map.
            .UseLightweightSessions()
            // HotCold: with several instances one leader runs the statistics projection and advances the high-water mark.
            .AddAsyncDaemon(DaemonMode.HotCold)
            .ApplyAllDatabaseChangesOnStartup();

        // Every daemon listens on Marten's channel; the notifier sends on it after appending commits (see Configure).
        services.ConfigureMarten((sp, opts) =>
        {
            opts.Projections.Wakeup = new Marten.Events.Daemon.HighWater.PostgresqlListenWakeup(
                sp.GetRequiredService<Npgsql.NpgsqlDataSource>(), sp.GetRequiredService<ILogger<Marten.Events.Daemon.HighWater.PostgresqlListenWakeup>>());
            opts.Listeners.Add(sp.GetRequiredService<AppendNotifier>().Listener);
            // Failures are logged without their statements' parameters, which hold NHS numbers.
            opts.Logger(new ParameterFreeMartenLogger(sp.GetRequiredService<ILogger<IDocumentStore>>()));
        });

        services.AddSingleton(new EventStoreNames(configuration["EventStore:Schema"] ?? "optout"));
        services.AddSingleton<CommittedEvents>();
        services.AddSingleton(_ => CreateDataSource(connectionString));
        return services;
    }

    /// <summary>
    /// A data source for the connection string. Several hosts (a cluster's nodes) make a multi-host source, which Npgsql
    /// will not build with Target Session Attributes in its string: they become the wrapper's, so every connection goes
    /// to a node that matches (the primary, after a failover the new one).
    /// </summary>
    public static Npgsql.NpgsqlDataSource CreateDataSource(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (builder.Host?.Contains(',', StringComparison.Ordinal) != true)
        {
            return Npgsql.NpgsqlDataSource.Create(connectionString);
        }

        var target = builder.TargetSessionAttributes;
        builder.TargetSessionAttributes = null;
        var nodes = new Npgsql.NpgsqlDataSourceBuilder(builder.ConnectionString).BuildMultiHost();
        return target is null ? nodes : nodes.WithTargetSession(Enum.Parse<Npgsql.TargetSessionAttributes>(target.Replace("-", "", StringComparison.Ordinal), ignoreCase: true));
    }

    /// <summary>
    /// The service's own session settings, added to its connection string. PostgreSQL compiles a query with JIT when its
    /// estimated cost is high, which for short queries over big tables costs far more than it saves (chaining a batch of
    /// audit entries spent most of its time compiling: docs/benchmarks.md); this service runs short queries only, so JIT
    /// is off. Statements are prepared once used a few times: besides saving their parse and plan, a pooled session that
    /// holds prepared statements is reset without <c>DISCARD ALL</c>, which would also throw away every plan PostgreSQL
    /// cached for the session, Marten's append function's among them, and so re-plan them for every request (changes ran
    /// at 0.19x TPC-B with it, 0.26-0.31x without). The reset still releases session locks, the leadership locks'
    /// backstop. A string that sets Max Auto Prepare itself (0 behind a transaction-pooling PgBouncer) keeps its value.
    /// </summary>
    public static string WithSessionSettings(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        builder.Options = string.IsNullOrEmpty(builder.Options) ? "-c jit=off" : builder.Options + " -c jit=off";
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        if (!given.ContainsKey("Max Auto Prepare") && !given.ContainsKey("MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = 64;
        }

        return builder.ConnectionString;
    }

    /// <summary>
    /// The event store's layout and behaviour for the patient record, in one place: the service and tools that must read
    /// or write it alike use it. Other rooms add their own documents, tables and projections where they register
    /// themselves (services.ConfigureMarten), so this room knows none of them.
    /// </summary>
    public static void Configure(StoreOptions opts, string connectionString, string schema)
    {
        opts.Connection(CreateDataSource(connectionString));
        opts.DatabaseSchemaName = schema;

        // One stream per patient, keyed by the ten-digit NHS number itself.
        opts.Events.StreamIdentity = StreamIdentity.AsString;

        // Stored events keep these names whatever their classes are called later; plain SQL readers rely on them.
        foreach (var stored in StoredEvents.All)
        {
            opts.Events.MapEventType(stored.Type, stored.Name);
        }

        // The audit trail shows who and why: keep correlation, causation and headers with each event.
        opts.Events.MetadataConfig.CorrelationIdEnabled = true;
        opts.Events.MetadataConfig.CausationIdEnabled = true;
        opts.Events.MetadataConfig.HeadersEnabled = true;

        // Enums as their names so stored events stay readable and survive reordering an enum.
        opts.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);

        // Changes reach RabbitMQ, and other instances' indexes, within tens of milliseconds: after each appending commit
        // the AppendNotifier wakes every daemon through LISTEN/NOTIFY (wired in AddEventStore), and polling backs that up
        // at a short interval. Not Marten's own NOTIFY inside each appending transaction: PostgreSQL holds a database-wide
        // lock from it through the commit, so changes committed one at a time (see AppendNotifier). Polling alone left
        // other instances further behind than docs/guarantees.md promises, and faster polling handed the publisher pages of
        // a few events until publishing fell behind (figures in docs/benchmarks.md, "Figures behind the design").
        opts.Events.UseListenNotifyForEventAppends = false;
        opts.Projections.FastPollingTime = TimeSpan.FromMilliseconds(50);
        opts.Projections.SlowPollingTime = TimeSpan.FromMilliseconds(250);

        // Reads of current preferences load one document instead of replaying the stream.
        opts.Projections.Snapshot<PatientPreferences>(SnapshotLifecycle.Inline);

        // Consent expiry asks "whose consent has run out?" across every patient: keep that an index scan.
        opts.Schema.For<PatientPreferences>().Index(p => p.NextConsentExpiry);

        // The opt-out index is built at start-up from these two narrow columns, not from every document's JSON.
        opts.Schema.For<PatientPreferences>()
            .Duplicate(p => p.NationalDataOptOut.OptedOut)
            .Duplicate(p => p.Type1OptOut.Dissent);
    }
}
