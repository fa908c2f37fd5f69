using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace OptOut.Hosting.OpenApi;

/// <summary>Each feature tag used in the document, with what it is for.</summary>
public sealed class TagDescriptions : IDocumentFilter
{
    public void Apply(OpenApiDocument swaggerDoc, DocumentFilterContext context)
    {
        var used = swaggerDoc.Paths.Values.SelectMany(p => p.Operations?.Values.AsEnumerable() ?? []).SelectMany(o => o.Tags?.AsEnumerable() ?? []).Select(t => t.Name).ToHashSet();
        swaggerDoc.Tags = new HashSet<OpenApiTag>(FeatureTags.All.Where(t => used.Contains(t.Name)).Select(t => new OpenApiTag { Name = t.Name, Description = t.Description }));
    }
}
