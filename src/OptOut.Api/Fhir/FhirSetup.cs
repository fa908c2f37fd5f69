using Microsoft.AspNetCore.Http;

namespace OptOut.Fhir;

public static class FhirSetup
{
    public static IServiceCollection AddFhir(this IServiceCollection services)
    {
        services.AddSingleton<ConsentResources>();
        // Under /fhir, problems are written as FHIR OperationOutcomes; registered before AddProblemDetails, so it is asked first.
        services.AddSingleton<IProblemDetailsWriter, FhirProblemWriter>();
        return services;
    }
}
