namespace OptOut.Patients;

public static class PatientsSetup
{
    /// <summary>The write door: its HTTP edge for each request, and the one commit every change goes through.</summary>
    public static IServiceCollection AddPatientRecords(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<Records.IssuedNumbers>().Bind(configuration.GetSection("NhsNumbers"))
            .Validate(ranges => { ranges.Validate(); return true; }).ValidateOnStart();
        services.AddSingleton<RecordWriter>();
        services.AddScoped<PatientWrites>();
        return services;
    }
}
