using System.Globalization;

namespace OptOut.Web.Charts;

/// <summary>One bar: its label (a month) and value; a null value is a count withheld, drawn as no bar.</summary>
public sealed record ChartBar(string Label, long? Value);

/// <summary>
/// A bar chart drawn on the server as SVG: no script, so it works without JavaScript, and it scales to 320 px. Its text
/// alternative says what the chart shows, and the table beside it gives every figure, so nothing is only in the picture.
/// </summary>
public sealed record BarChart(string Id, string Title, IReadOnlyList<ChartBar> Bars)
{
    // Narrow and with large type, so the labels stay readable when the chart shrinks to a 320 px screen.
    public const int Width = 480;
    public const int Height = 240;
    public const int Left = 100;
    public const int Bottom = 36;
    public const int Top = 12;

    private static readonly long[] Steps = [1, 2, 5, 10];
    private static readonly int[] TickCounts = [5, 4, 2, 1];

    /// <summary>The axis's top: the largest value rounded up to 1, 2 or 5 times a power of ten, so gridlines fall on round numbers.</summary>
    public long AxisMax
    {
        get
        {
            var max = Math.Max(1, Bars.Max(b => b.Value ?? 0));
            var power = (long)Math.Pow(10, Math.Floor(Math.Log10(max)));
            return Steps.Select(m => m * power).First(v => v >= max);
        }
    }

    /// <summary>Gridlines at whole numbers only: five steps where the top divides by five, else four, two or one.</summary>
    public IEnumerable<long> Ticks
    {
        get
        {
            var top = AxisMax;
            var steps = TickCounts.First(n => top % n == 0);
            return Enumerable.Range(0, steps + 1).Select(i => top * i / steps);
        }
    }

    /// <summary>The room each bar has: the plot shared out, but never more than a twelfth of it, so one month is a bar, not a block.</summary>
    public double BarWidth => Math.Min((double)(Width - Left - 8) / Math.Max(1, Bars.Count), (Width - Left - 8) / 12.0);

    public double X(int index) => Left + (index * BarWidth) + (BarWidth * 0.15);

    public double BarHeight(long value) => (double)value / AxisMax * (Height - Top - Bottom);

    /// <summary>Every how many bars a label is written, so labels never overlap.</summary>
    public int LabelEvery => Math.Max(1, Math.Max((int)Math.Ceiling(Bars.Count / 3.0), (int)Math.Ceiling(LabelWidth / BarWidth)));

    /// <summary>Room a label such as "Nov 2026" takes at the axis's type size, with a gap.</summary>
    private const double LabelWidth = 100;

    public string Description
    {
        get
        {
            var shown = Bars.Where(b => b.Value is not null).ToList();
            if (shown.Count == 0)
            {
                return $"{Title}: no figures to show yet.";
            }

            var latest = shown[^1];
            var highest = shown.MaxBy(b => b.Value)!;
            return $"{Title}, {Bars[0].Label} to {Bars[^1].Label}. Latest: {Number(latest.Value)} in {latest.Label}. " +
                   $"Highest: {Number(highest.Value)} in {highest.Label}. The table gives every figure.";
        }
    }

    public static string Number(long? value) => value?.ToString("N0", CultureInfo.InvariantCulture) ?? "Fewer than 10";

    /// <summary>"2026-11" as "Nov 2026".</summary>
    public static string MonthLabel(string month) =>
        DateOnly.ParseExact(month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture).ToString("MMM yyyy", CultureInfo.InvariantCulture);
}
