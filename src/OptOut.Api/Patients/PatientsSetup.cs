namespace OptOut.Patients;

public static class PatientsSetup
{
    /// <summary>The write door: its HTTP edge for each request, and the one commit every change goes through.</summary>
    public static IServiceCollection AddPatientRecords(this IServiceCollection services)
    {
        services.AddSingleton<RecordWriter>();
        services.AddScoped<PatientWrites>();
        return services;
    }
}
