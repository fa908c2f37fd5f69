using Marten;
using Npgsql;
using OptOut.Security;
using OptOut.Records;
using OptOut.EventStore;

namespace OptOut.PipelineChecks;

/// <summary>One published change, as its RabbitMQ message, with the message type name consumers bind to.</summary>
public sealed record ChangeFeedItem(long Sequence, string MessageType, object Message);

/// <summary><see cref="Next"/> is the cursor for the next page: pass it as after.</summary>
public sealed record ChangeFeedPage(IReadOnlyList<ChangeFeedItem> Changes, long Next, bool CaughtUp);

public static class ChangeFeedEndpoint
{
    private const int MaxLimit = 10_000;

    public static void MapChangeFeed(this IEndpointRouteBuilder api) =>
        api.MapGet("/opt-out-changes", Handle)
            .WithName("GetChanges")
            .WithSummary("Changes after a sequence, in sequence order, as the same messages RabbitMQ carries: resynchronise a cache after downtime, then follow the messages.")
            .WithDescription("Pages hold only committed changes and stop before any still in flight, so a cursor never skips a change committed late.")
            .RequireAuthorization(p => p.RequireRole(Roles.Pipeline, Roles.Admin));

    private static async Task<Results<Ok<ChangeFeedPage>, ProblemHttpResult>> Handle(
        long? after, int? limit, IQuerySession session, CommittedEvents committed, NpgsqlDataSource database, CancellationToken ct)
    {
        if ((QueryRanges.Below("after", after, 0, "a change's sequence") ?? QueryRanges.Outside("limit", limit, 1, MaxLimit)) is { } range)
        {
            return Problems.Of(Problems.InvalidQuery, range);
        }

        await using var connection = await database.OpenConnectionAsync(ct);
        var page = await committed.ReadAsync(session, connection, after ?? 0, limit ?? 1000, ct);
        if (page.Events.Count == 0 && after > 0 && await committed.LatestSequenceAsync(connection, ct) is var latest && after > latest)
        {
            // No cursor this feed gave can lie beyond its latest change; answering "caught up" from there would have the
            // consumer skip every change up to it. One that does was mistyped, or the store went back to a backup.
            return Problems.Of(Problems.InvalidQuery,
                $"after is {after}, beyond the latest change recorded ({latest}): pass next from an earlier page. If the store has been restored from a backup since, read again from 0.");
        }

        var changes = page.Events
            .Select(e => (e.Sequence, Message: ChangeMessages.ToMessage(e)))
            .Where(x => x.Message is not null)
            .Select(x => new ChangeFeedItem(x.Sequence, $"{x.Message!.GetType().Namespace}:{x.Message.GetType().Name}", x.Message))
            .ToList();
        return TypedResults.Ok(new ChangeFeedPage(changes, page.CommittedTo, !page.Full));
    }
}
