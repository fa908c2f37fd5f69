using OptOut.Indexing;

namespace OptOut.PipelineChecks;

public static class IndexReads
{
    /// <summary>
    /// A caller who just saw a change's sequence (in a message or the change feed) can demand an answer that
    /// reflects it; if the index cannot catch up in time the answer is a 503, never a stale one.
    /// </summary>
    /// <param name="acknowledged">The last change this instance acknowledged that the answer must reflect (read after acknowledgement).</param>
    public static async Task<ProblemHttpResult?> AwaitAsync(OptOutIndex index, long? minSequence, long acknowledged, TimeSpan maxWait, CancellationToken ct)
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

        minSequence = wanted;

        return Problems.Of(Problems.IndexBehind, index.IsReady
                ? $"The index reflects events up to sequence {index.Sequence}, not yet {minSequence}. Retry shortly."
                : "The opt-out index is still being built. Retry shortly.");
    }
}
