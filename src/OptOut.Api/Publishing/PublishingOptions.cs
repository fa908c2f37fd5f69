namespace OptOut.Publishing;

public sealed class PublishingOptions
{
    /// <summary>How long one publish may wait for the broker's confirm before it is tried again.</summary>
    public TimeSpan ConfirmTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);
}
