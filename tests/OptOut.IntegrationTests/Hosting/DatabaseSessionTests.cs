using Npgsql;
using OptOut.EventStore;
using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.Hosting;

[Collection(OptOutServiceGroup.Name)]
public class DatabaseSessionTests(OptOutService service)
{
    /// <summary>
    /// A pooled session, with the service's settings, keeps its prepared statements (and PostgreSQL's cached plans) from
    /// one use to the next, yet whoever uses it next inherits no session lock left behind: the leadership locks rely on
    /// that reset as their backstop.
    /// </summary>
    [Fact]
    public async Task A_pooled_session_keeps_its_prepared_statements_and_hands_on_no_lock()
    {
        var key = Random.Shared.NextInt64(1_000_000_000, 2_000_000_000);
        var settings = new NpgsqlConnectionStringBuilder(EventStoreSetup.WithSessionSettings(service.ConnectionString)) { MaxPoolSize = 1 };
        await using var dataSource = NpgsqlDataSource.Create(settings.ConnectionString);
        int backend;
        await using (var session = await dataSource.OpenConnectionAsync())
        {
            for (var i = 0; i < 6; i++)
            {
                await ScalarAsync<long>(session, "select count(*) from pg_class where relname = 'pg_proc'");
            }

            backend = session.ProcessID;
            await ScalarAsync<object>(session, $"select pg_advisory_lock({key})");
        }

        await using var reused = await dataSource.OpenConnectionAsync();
        Assert.Equal(backend, reused.ProcessID);
        Assert.Equal(0L, await ScalarAsync<long>(reused, "select count(*) from pg_locks where locktype = 'advisory' and pid = pg_backend_pid()"));
        Assert.True(await ScalarAsync<long>(reused, "select count(*) from pg_prepared_statements") > 0, "the session's prepared statements were thrown away");
        Assert.Equal("off", await ScalarAsync<string>(reused, "show jit"));
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection session, string sql)
    {
        await using var command = new NpgsqlCommand(sql, session);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
