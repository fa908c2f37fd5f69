namespace OptOut.PipelineChecks;

public sealed class OptOutCheckOptions
{
    /// <summary>The largest body a bulk check accepts: 20 million lines of CSV fit comfortably.</summary>
    public long MaxBodyBytes { get; set; } = 1L << 30;

    /// <summary>The most lines one bulk check reads.</summary>
    public long MaxLines { get; set; } = 20_000_000;

    /// <summary>How many invalid lines the summary lists, with their reasons.</summary>
    public int InvalidLinesReported { get; set; } = 20;
}
