using OptOut.Indexing;

namespace OptOut.PipelineChecks;

public static class IndexReads
{
    /// <summary>
    /// A caller who just saw a change's sequence (in a message or the change feed) can demand an answer that
    /// reflects it; if the index cannot catch up in time the answer is a 503, never a stale one.
    /// </summary>
    /// <param name="acknowledged">The last change this instance acknowledged that the answer must reflect (read after acknowledgement).</param>
    /// <param name="latest">The store's latest sequence (<see cref="EventStore.CommittedEvents.LatestSequenceAsync"/>), asked only when the index has not reached minSequence.</param>
    public static async Task<ProblemHttpResult?> AwaitAsync(
        OptOutIndex index, long? minSequence, long acknowledged, TimeSpan maxWait, Func<CancellationToken, Task<long>> latest, CancellationToken ct)
    {
        if (minSequence is < 0)
        {
            return Problems.Of(Problems.InvalidQuery, "minSequence is an event sequence number, 0 or more.");
        }

        var wanted = Math.Max(minSequence ?? 0, acknowledged);
        if (await index.WaitForAsync(wanted, maxWait, ct))
        {
            return null;
        }

        // "Retry shortly" would be untrue for ever of a sequence no change has: say so instead.
        if (minSequence > index.Sequence && await latest(ct) is var recorded && minSequence > recorded)
        {
            return Problems.Of(Problems.InvalidQuery,
                $"minSequence is {minSequence}, beyond the latest change recorded ({recorded}): pass a sequence from a change's response, message or the change feed.");
        }

        minSequence = wanted;

        return Problems.Of(Problems.IndexBehind, index.IsReady
                ? $"The index reflects events up to sequence {index.Sequence}, not yet {minSequence}. Retry shortly."
                : "The opt-out index is still being built. Retry shortly.");
    }
}
