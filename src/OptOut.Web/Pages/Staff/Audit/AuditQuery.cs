using Microsoft.AspNetCore.WebUtilities;

namespace OptOut.Web.Pages.Staff.Audit;

/// <summary>The explorer's filter, as the form sends it and as the API takes it (one query string for search and export).</summary>
public sealed class AuditQuery
{
    public string? FromDay { get; set; }

    public string? FromMonth { get; set; }

    public string? FromYear { get; set; }

    public string? ToDay { get; set; }

    public string? ToMonth { get; set; }

    public string? ToYear { get; set; }

    public string? NhsNumber { get; set; }

    public string? Actor { get; set; }

    public string? Role { get; set; }

    public string? Kind { get; set; }

    public string? Purpose { get; set; }

    public string? Outcome { get; set; }

    /// <summary>A change's reference, as the patient was given it ("7KQ4-M2XD").</summary>
    public string? Reference { get; set; }

    public DateInput From(string? error = null) => new("query-from", "Query.From", "From (optional)", "For example, 1 12 2026", FromDay, FromMonth, FromYear, error);

    public DateInput To(string? error = null) => new("query-to", "Query.To", "To, including that day (optional)", "For example, 31 12 2026", ToDay, ToMonth, ToYear, error);

    /// <summary>What is wrong with the period, by the id of the box the error summary links to; empty when nothing is.</summary>
    public Dictionary<string, string> Problems()
    {
        var problems = new Dictionary<string, string>();
        var from = From().Read("'from' date", "1 12 2026", out var fromError);
        var to = To().Read("'to' date", "31 12 2026", out var toError);
        toError ??= from > to ? "The 'to' date must be the same as or after the 'from' date" : null;
        foreach (var (id, error) in new[] { ("query-from-day", fromError), ("query-to-day", toError) })
        {
            if (error is not null)
            {
                problems[id] = error;
            }
        }

        return problems;
    }

    /// <summary>Dates are whole UK days: "from" starts at the day's first moment in the UK, and "to" includes the day it names.</summary>
    public string ForApi(long? before = null)
    {
        var from = From().Read("date", "", out _);
        var to = To().Read("date", "", out _);
        var query = new Dictionary<string, string?>
        {
            ["from"] = from is { } f ? Contracts.UkCalendar.StartOf(f).ToString("O", System.Globalization.CultureInfo.InvariantCulture) : null,
            ["to"] = to is { } t ? Contracts.UkCalendar.StartOf(t.AddDays(1)).ToString("O", System.Globalization.CultureInfo.InvariantCulture) : null,
            ["nhsNumber"] = Blank(NhsNumber),
            ["actor"] = Blank(Actor),
            ["role"] = Blank(Role),
            ["kind"] = Blank(Kind),
            ["statedPurpose"] = Blank(Purpose),
            ["outcome"] = Blank(Outcome),
            ["reference"] = Blank(Reference),
            ["before"] = before?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        return QueryString.Create(query.Where(q => q.Value is not null)).Value?.TrimStart('?') ?? "";
    }

    /// <summary>The filter as the page's own address, so paging and export keep it.</summary>
    public Dictionary<string, string?> RouteValues() => new()
    {
        ["Query.FromDay"] = FromDay, ["Query.FromMonth"] = FromMonth, ["Query.FromYear"] = FromYear,
        ["Query.ToDay"] = ToDay, ["Query.ToMonth"] = ToMonth, ["Query.ToYear"] = ToYear, ["Query.NhsNumber"] = NhsNumber, ["Query.Actor"] = Actor,
        ["Query.Role"] = Role, ["Query.Kind"] = Kind, ["Query.Purpose"] = Purpose, ["Query.Outcome"] = Outcome, ["Query.Reference"] = Reference,
    };

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
