namespace OptOut.Statistics;

/// <summary>
/// Small-number suppression for figures the public sees: a count below <see cref="Threshold"/> is withheld, and
/// every other count is rounded to the nearest <see cref="RoundTo"/>, so no one can be singled out by a small count
/// or by subtracting one published figure from another. Configuration (Statistics:Suppression), since it is policy.
/// </summary>
public sealed class SmallNumberSuppression
{
    public int Threshold { get; set; } = 10;

    public int RoundTo { get; set; } = 5;

    /// <summary>The published value, or null where the count is withheld. Rounding never brings a count under the threshold.</summary>
    public long? Publish(long count)
    {
        if (count < Threshold)
        {
            return null;
        }

        var step = Math.Max(1, RoundTo);
        var rounded = (long)Math.Round(count / (double)step, MidpointRounding.AwayFromZero) * step;
        return Math.Max(rounded, RoundUp(Threshold, step));
    }

    private static long RoundUp(long value, long step) => (value + step - 1) / step * step;
}
