using Microsoft.AspNetCore.Routing.Template;

namespace OptOut.Http;

/// <summary>
/// The route templates of every mapped endpoint, for requests the router refused before choosing one (a 405 for the
/// wrong method, a 415 for the wrong media type): their audit entry still names the template and the patient.
/// </summary>
public sealed class RouteTemplates(EndpointDataSource endpoints)
{
    private readonly Lazy<List<(string Template, TemplateMatcher Matcher)>> _all = new(() =>
        [.. endpoints.Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is not null)
            .OrderBy(e => e.Order)
            .Select(e => e.RoutePattern.RawText!)
            .Distinct(StringComparer.Ordinal)
            .Select(t => (t, new TemplateMatcher(TemplateParser.Parse(t), []))),
        ]);

    /// <summary>The first template the path fits, and the values it gives; null if none does.</summary>
    public (string Template, RouteValueDictionary Values)? Match(PathString path)
    {
        foreach (var (template, matcher) in _all.Value)
        {
            var values = new RouteValueDictionary();
            if (matcher.TryMatch(path, values))
            {
                return (template, values);
            }
        }

        return null;
    }
}
