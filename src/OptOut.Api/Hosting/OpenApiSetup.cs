using Microsoft.OpenApi;

namespace OptOut.Hosting;

public static class OpenApiSetup
{
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
        });
        return services;
    }
}
