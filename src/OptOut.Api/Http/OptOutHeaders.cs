namespace OptOut.Http;

/// <summary>OptOut's own response headers, named once.</summary>
public static class OptOutHeaders
{
    /// <summary>The event sequence a change was stored at: a caller waits for the index or the feed to reach it.</summary>
    public const string Sequence = "OptOut-Sequence";
}
