using FluentValidation;
using FluentValidation.Validators;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace OptOut.Hosting.OpenApi;

/// <summary>
/// A request body's required fields, read from its FluentValidation validator (an unconditional NotNull or NotEmpty),
/// so the document and the validator cannot disagree, and a generated client refuses an incomplete body.
/// </summary>
public sealed class RequiredFromValidators(IServiceProvider services) : ISchemaFilter
{
    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is not OpenApiSchema target || target.Properties is null)
        {
            return;
        }

        using var scope = services.CreateScope();
        if (scope.ServiceProvider.GetService(typeof(IValidator<>).MakeGenericType(context.Type)) is not IValidator validator)
        {
            return;
        }

        var descriptor = validator.CreateDescriptor();
        foreach (var (name, property) in target.Properties)
        {
            var member = context.Type.GetProperties().FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
            var required = member is not null && descriptor.GetRulesForMember(member.Name).Any(rule =>
                !rule.HasCondition && !rule.HasAsyncCondition
                && rule.Components.Any(c => c.Validator is INotNullValidator or INotEmptyValidator && !c.HasCondition && !c.HasAsyncCondition));
            if (!required)
            {
                continue;
            }

            target.Required ??= new HashSet<string>();
            target.Required.Add(name);
            if (property is OpenApiSchema inline && inline.Type is { } type)
            {
                inline.Type = type & ~JsonSchemaType.Null;
            }
        }
    }
}
