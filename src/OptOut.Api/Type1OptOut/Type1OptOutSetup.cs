namespace OptOut.Type1OptOut;

public static class Type1OptOutSetup
{
    /// <summary>The clinical codes a practice may record a Type 1 opt-out with (section "Type1Codes").</summary>
    public static IServiceCollection AddType1OptOut(this IServiceCollection services, IConfiguration configuration) =>
        services.Configure<Type1Codes>(configuration.GetSection("Type1Codes"));
}
