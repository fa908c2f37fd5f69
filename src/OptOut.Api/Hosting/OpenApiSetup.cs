using Microsoft.OpenApi;

namespace OptOut.Hosting;

public static class OpenApiSetup
{
    /// <summary>The document names the server it was fetched from, so a client generated from it knows where to call.</summary>
    public static IApplicationBuilder UseOptOutOpenApi(this IApplicationBuilder app) =>
        app.UseSwagger(o => o.PreSerializeFilters.Add((document, request) =>
                document.Servers = [new OpenApiServer { Url = $"{request.Scheme}://{request.Host}", Description = "This OptOut service" }]))
            .UseSwaggerUI(ui => ui.SwaggerEndpoint("/swagger/v1/swagger.json", "OptOut v1"));

    public static IServiceCollection AddOptOutOpenApi(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(swagger =>
        {
            swagger.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "OptOut",
                Version = "v1",
                Description = "The system of record for patients' national data opt-outs and consents. " +
                              "Mint a development token with `infra/optout token --role ROLE` and press Authorize.",
            });
            swagger.AddSecurityDefinition("bearer", new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "A JWT whose role claim is patient, pipeline, dpo or admin.",
            });
            swagger.AddSecurityRequirement(document => new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference("bearer", document)] = [],
            });
            swagger.TagActionsBy(api => [OpenApi.FeatureTags.For(api)]);
            swagger.OperationFilter<OpenApi.OperationContract>();
            swagger.SchemaFilter<OpenApi.RequiredFromValidators>();
            swagger.DocumentFilter<OpenApi.TagDescriptions>();
        });
        return services;
    }
}
