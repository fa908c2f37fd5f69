namespace OptOut.Statistics;

/// <summary>The counters' names, as stored and as the figures' CSV headings use them.</summary>
public static class Measures
{
    public const string NationalInForce = "national-in-force";
    public const string NationalSet = "national-set";
    public const string NationalWithdrawn = "national-withdrawn";
    public const string Type1InForce = "type1-in-force";
    public const string Consents = "consents";

    /// <summary>A flow's dimensions: the total, who decided (the patient or a proxy) and the channel.</summary>
    public const string Total = "";
    public const string BySelf = "by:self";
    public const string ByProxy = "by:proxy";
    public const string ChannelPrefix = "channel:";
}
