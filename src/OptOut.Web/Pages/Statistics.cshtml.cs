using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OptOut.Web.Charts;

namespace OptOut.Web.Pages;

/// <summary>
/// The national figures anyone may read, without signing in. The API suppresses small numbers before they leave it, so
/// this page cannot show a count it was never given.
/// </summary>
public sealed class StatisticsModel(OptOutApi api) : PageModel
{
    /// <summary>The chart shows the last two years; the table and the download have every month.</summary>
    private const int ChartMonths = 24;

    public NationalStatistics? Figures { get; private set; }

    public BarChart? InForce { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        Figures = (await api.NationalStatisticsAsync(ct)).Value;
        if (Figures is null)
        {
            return StatusCode(StatusCodes.Status503ServiceUnavailable);
        }

        InForce = new BarChart("in-force", "National data opt-outs in force at the end of each month",
            [.. Figures.Months.TakeLast(ChartMonths).Select(m => new ChartBar(BarChart.MonthLabel(m.Month), m.NationalOptOutsInForce))]);
        return Page();
    }

    public async Task<IActionResult> OnGetCsvAsync(CancellationToken ct)
    {
        if ((await api.NationalStatisticsAsync(ct)).Value is not { } figures)
        {
            return StatusCode(StatusCodes.Status503ServiceUnavailable);
        }

        // [c] marks a withheld count, as official statistics do.
        static object Cell(long? value) => value is { } v ? v : "[c]";
        return CsvDownload.Of("national-data-opt-outs.csv", ["month", "in_force_at_end", "set_in_month", "withdrawn_in_month"],
            figures.Months.Select(m => new[] { m.Month, Cell(m.NationalOptOutsInForce), Cell(m.NationalOptOutsSet), Cell(m.NationalOptOutsWithdrawn) }));
    }
}
