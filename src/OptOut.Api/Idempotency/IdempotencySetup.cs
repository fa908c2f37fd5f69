using Marten;

namespace OptOut.Idempotency;

public static class IdempotencySetup
{
    /// <summary>Answers kept by idempotency key, so a retried write is answered as it was the first time.</summary>
    public static IServiceCollection AddIdempotency(this IServiceCollection services) =>
        services.ConfigureMarten(opts => opts.Schema.For<IdempotentResponse>());
}
