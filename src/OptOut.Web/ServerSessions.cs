using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Caching.Distributed;

namespace OptOut.Web;

/// <summary>
/// Sessions kept on the server: the cookie holds only a random key, and the session (with the access token the pages
/// call the API with) stays here. Signing out removes it, and one idle for <see cref="IdleLimit"/> is gone, so a copy of
/// the cookie taken before either opens nothing. An IDistributedCache, so several instances can share one store
/// (Redis or SQL Server in production); in memory for one instance.
/// </summary>
public sealed class ServerSessions(IDistributedCache cache) : ITicketStore
{
    /// <summary>A session unused for this long is ended (the NHS service manual's 30 minutes for health records).</summary>
    public static readonly TimeSpan IdleLimit = TimeSpan.FromMinutes(30);

    private const string Prefix = "optout-session:";

    public async Task<string> StoreAsync(AuthenticationTicket ticket)
    {
        var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        await RenewAsync(key, ticket);
        return key;
    }

    public Task RenewAsync(string key, AuthenticationTicket ticket) =>
        cache.SetAsync(Prefix + key, TicketSerializer.Default.Serialize(ticket), new DistributedCacheEntryOptions
        {
            SlidingExpiration = IdleLimit,
            AbsoluteExpiration = ticket.Properties.ExpiresUtc,
        });

    public async Task<AuthenticationTicket?> RetrieveAsync(string key) =>
        await cache.GetAsync(Prefix + key) is { } bytes ? TicketSerializer.Default.Deserialize(bytes) : null;

    public Task RemoveAsync(string key) => cache.RemoveAsync(Prefix + key);

    public static void Use(IServiceCollection services)
    {
        services.AddDistributedMemoryCache();
        services.AddSingleton<ServerSessions>();
        services.AddOptions<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme)
            .Configure<ServerSessions>((cookie, sessions) => cookie.SessionStore = sessions);
    }
}
