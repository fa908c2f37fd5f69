using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OptOut.Web.Charts;

namespace OptOut.Web.Pages.Staff.Statistics;

/// <summary>
/// The full figures for data-protection officers (GET /v1/statistics): national opt-outs in force, set and withdrawn
/// by who decided and by channel, Type 1 opt-outs by practice and consents by purpose and state, each table with its
/// CSV download; and a rebuild of the figures from the events.
/// </summary>
public sealed class IndexModel(OptOutApi api) : PageModel
{
    private const int ChartMonths = 24;

    public static readonly string[] ConsentStates = ["permit", "deny", "withdrawn", "expired"];

    public OptOut.Web.Statistics? Figures { get; private set; }

    public BarChart? NationalChart { get; private set; }

    public BarChart? Type1Chart { get; private set; }

    /// <summary>Set by a rebuild that finished before the page came back, so the page can say it happened.</summary>
    [TempData]
    public string? Rebuilt { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (await LoadAsync(ct) is { } failed)
        {
            return failed;
        }

        var recent = Figures!.Months.TakeLast(ChartMonths).ToList();
        NationalChart = new BarChart("national", "National data opt-outs in force at the end of each month",
            [.. recent.Select(m => new ChartBar(BarChart.MonthLabel(m.Month), m.NationalOptOutsInForce))]);
        Type1Chart = new BarChart("type1", "Type 1 opt-outs in force at the end of each month",
            [.. recent.Select(m => new ChartBar(BarChart.MonthLabel(m.Month), m.Type1OptOutsInForce))]);
        return Page();
    }

    /// <summary>Begins the rebuild in the API and comes back to the page, which follows it: a replay takes minutes for the whole country.</summary>
    public async Task<IActionResult> OnPostRebuildAsync(CancellationToken ct)
    {
        var begun = await api.RebuildStatisticsAsync(ct);
        Rebuilt = begun.Value is { Rebuilding: null } figures ? $"The figures were rebuilt from every change, up to change {figures.Sequence:N0}." : null;
        return begun.Value is null ? StatusCode(begun.Status) : RedirectToPage();
    }

    /// <summary>Each table on the page as CSV: national, channels, practices or consents.</summary>
    public async Task<IActionResult> OnGetCsvAsync(string table, CancellationToken ct)
    {
        if (await LoadAsync(ct) is { } failed)
        {
            return failed;
        }

        var months = Figures!.Months;
        return table switch
        {
            "national" => CsvDownload.Of("national-data-opt-outs-by-month.csv",
                ["month", "in_force_at_end", "set", "set_by_patient", "set_by_proxy", "withdrawn", "withdrawn_by_patient", "withdrawn_by_proxy", "type1_in_force_at_end"],
                months.Select(m => new object[]
                {
                    m.Month, m.NationalOptOutsInForce, m.NationalOptOutsSet.Total, m.NationalOptOutsSet.Self, m.NationalOptOutsSet.Proxy,
                    m.NationalOptOutsWithdrawn.Total, m.NationalOptOutsWithdrawn.Self, m.NationalOptOutsWithdrawn.Proxy, m.Type1OptOutsInForce,
                })),
            "channels" => CsvDownload.Of("national-data-opt-outs-by-channel.csv", ["month", "channel", "set", "withdrawn"],
                ByChannel().Select(r => new object[] { r.Month, r.Channel, r.Set, r.Withdrawn })),
            "practices" => CsvDownload.Of("type1-opt-outs-by-practice.csv", ["practice", "type1_in_force"],
                Figures.Type1ByPractice.Select(p => new object[] { p.Practice, p.Type1OptOutsInForce })),
            "consents" => CsvDownload.Of("consents-by-purpose.csv", ["purpose", .. ConsentStates],
                ConsentsNow().Select(c => new object[] { c.Purpose }.Concat(c.States.Cast<object>()))),
            _ => NotFound(),
        };
    }

    /// <summary>Set and withdrawn in each month by channel, newest month first, only where something changed.</summary>
    public IEnumerable<(string Month, string Channel, long Set, long Withdrawn)> ByChannel() =>
        from m in Figures!.Months.Reverse()
        from channel in m.NationalOptOutsSet.ByChannel.Keys.Union(m.NationalOptOutsWithdrawn.ByChannel.Keys).Order(StringComparer.Ordinal)
        select (m.Month, channel, m.NationalOptOutsSet.ByChannel.GetValueOrDefault(channel), m.NationalOptOutsWithdrawn.ByChannel.GetValueOrDefault(channel));

    /// <summary>Each purpose's latest choices now: how many people's stand at permit, deny, withdrawn and expired.</summary>
    public IEnumerable<(string Purpose, long[] States)> ConsentsNow() =>
        (Figures!.Months.Count > 0 ? Figures.Months[^1].Consents : new Dictionary<string, IReadOnlyDictionary<string, long>>())
            .Select(p => (p.Key, ConsentStates.Select(s => p.Value.GetValueOrDefault(s)).ToArray()));

    private async Task<IActionResult?> LoadAsync(CancellationToken ct)
    {
        var read = await api.StatisticsAsync(ct);
        Figures = read.Value;
        return Figures is null ? StatusCode(read.Status) : null;
    }
}
