using Npgsql;

namespace OptOut.Hosting;

/// <summary>
/// Leadership among instances: whoever holds a session-level advisory lock on a connection of its own leads, and loses
/// it with that session, so a dead instance hands over as soon as PostgreSQL sees its connection go.
/// </summary>
public static class SessionLock
{
    public static async Task<bool> TryTakeAsync(NpgsqlConnection session, long key, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"select pg_try_advisory_lock({key})", session);
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// A pooled connection keeps its session, and with it the lock, when it goes back to the pool: let go of the lock
    /// first, so another instance (or this one, on its next try) can lead. If the session is broken, Npgsql closes it
    /// instead of pooling it, and PostgreSQL releases the lock with the session.
    /// </summary>
    public static async Task ReleaseAsync(NpgsqlConnection session, long key, ILogger logger)
    {
        try
        {
            await using var command = new NpgsqlCommand($"select pg_advisory_unlock({key})", session);
            await command.ExecuteScalarAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            logger.LogDebug(ex, "A leadership lock went with its session");
        }
    }
}
