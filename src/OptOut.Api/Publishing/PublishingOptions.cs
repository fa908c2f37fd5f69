namespace OptOut.Publishing;

public sealed class PublishingOptions
{
    /// <summary>How long one publish may wait for the broker's confirm before it is tried again.</summary>
    public TimeSpan ConfirmTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the publisher looks for newly committed changes once it has caught up.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>How many changes wait for the broker's confirm at once, each a different patient's (each patient's go in order).</summary>
    public int MaxInFlightPatients { get; set; } = 64;
}
