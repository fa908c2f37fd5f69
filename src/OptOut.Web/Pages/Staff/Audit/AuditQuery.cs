using Microsoft.AspNetCore.WebUtilities;

namespace OptOut.Web.Pages.Staff.Audit;

/// <summary>The explorer's filter, as the form sends it and as the API takes it (one query string for search and export).</summary>
public sealed class AuditQuery
{
    public string? From { get; set; }

    public string? To { get; set; }

    public string? NhsNumber { get; set; }

    public string? Actor { get; set; }

    public string? Role { get; set; }

    public string? Kind { get; set; }

    public string? Purpose { get; set; }

    public string? Outcome { get; set; }

    /// <summary>Dates are whole UK days: "to" includes the day it names.</summary>
    public string ForApi(long? before = null)
    {
        var query = new Dictionary<string, string?>
        {
            ["from"] = DateOnly.TryParse(From, out var from) ? from.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) + "T00:00:00Z" : null,
            ["to"] = DateOnly.TryParse(To, out var to) ? to.AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) + "T00:00:00Z" : null,
            ["nhsNumber"] = Blank(NhsNumber),
            ["actor"] = Blank(Actor),
            ["role"] = Blank(Role),
            ["kind"] = Blank(Kind),
            ["purpose"] = Blank(Purpose),
            ["outcome"] = Blank(Outcome),
            ["before"] = before?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        return QueryString.Create(query.Where(q => q.Value is not null)).Value?.TrimStart('?') ?? "";
    }

    /// <summary>The filter as the page's own address, so paging and export keep it.</summary>
    public Dictionary<string, string?> RouteValues() => new()
    {
        ["Query.From"] = From, ["Query.To"] = To, ["Query.NhsNumber"] = NhsNumber, ["Query.Actor"] = Actor,
        ["Query.Role"] = Role, ["Query.Kind"] = Kind, ["Query.Purpose"] = Purpose, ["Query.Outcome"] = Outcome,
    };

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
