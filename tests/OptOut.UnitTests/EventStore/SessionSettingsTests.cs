using Npgsql;
using OptOut.EventStore;

namespace OptOut.UnitTests.EventStore;

/// <summary>The settings the service adds to its database connection string, and an operator's own that it keeps.</summary>
public class SessionSettingsTests
{
    [Fact]
    public void The_service_prepares_its_statements_and_turns_jit_off()
    {
        var settings = new NpgsqlConnectionStringBuilder(EventStoreSetup.WithSessionSettings("Host=db;Database=optout;Options=-c statement_timeout=5000"));

        Assert.Equal(64, settings.MaxAutoPrepare);
        Assert.Equal("-c statement_timeout=5000 -c jit=off", settings.Options);
    }

    [Theory]
    [InlineData("Host=db;Max Auto Prepare=0")]
    [InlineData("Host=db;maxautoprepare=0")]
    public void An_operator_who_turns_preparing_off_keeps_it_off(string connectionString)
    {
        // Behind a transaction-pooling PgBouncer, prepared statements would meet a different server session.
        Assert.Equal(0, new NpgsqlConnectionStringBuilder(EventStoreSetup.WithSessionSettings(connectionString)).MaxAutoPrepare);
    }
}
