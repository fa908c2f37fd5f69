using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using OptOut.EventStore;
using OptOut.Indexing;

namespace OptOut.IntegrationTests.Infrastructure;

/// <summary>Opt-out indexes built beside the service's own, from its store, as a restarted instance would build them.</summary>
internal static class IndexBuilds
{
    public static OptOutIndexFollower Follower(OptOutService service, OptOutIndex index) =>
        new(service.Services.GetRequiredService<NpgsqlDataSource>(), index, service.Services.GetRequiredService<EventStoreNames>(),
            service.Services.GetRequiredService<CommittedEvents>(), Options.Create(new OptOutIndexOptions()), NullLogger<OptOutIndexFollower>.Instance);

    public static async Task<OptOutIndex> FromSnapshotsAsync(OptOutService service)
    {
        var index = new OptOutIndex();
        await Follower(service, index).BuildFromSnapshotsAsync(CancellationToken.None);
        return index;
    }

    /// <summary>Saves the index as the store's checkpoint (unless a newer one is there) and returns its sequence, or null.</summary>
    public static Task<long?> SaveCheckpointAsync(OptOutService service, OptOutIndex index) =>
        new OptOutIndexCheckpoint(service.Services.GetRequiredService<NpgsqlDataSource>(), service.Services.GetRequiredService<EventStoreNames>())
            .SaveAsync(index, CancellationToken.None);
}
