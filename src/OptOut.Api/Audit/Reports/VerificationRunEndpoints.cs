using Marten;
using OptOut.Security;

namespace OptOut.Audit.Reports;

/// <summary>
/// "Verify now" as a run in the background: started by one request, read by the next. The run answers the same as
/// GET /v1/audit/verification, which stays for scripts against small stores; at the design's size a check takes minutes.
/// </summary>
public static class VerificationRunEndpoints
{
    private const int Listed = 20;

    public static IServiceCollection AddVerificationRuns(this IServiceCollection services)
    {
        services.AddSingleton<VerificationRuns>();
        services.AddHostedService(sp => sp.GetRequiredService<VerificationRuns>());
        services.ConfigureMarten(opts => opts.Schema.For<VerificationRun>());
        return services;
    }

    public static void MapVerificationRuns(this IEndpointRouteBuilder api)
    {
        api.MapPost("/audit/verifications", BeginAsync)
            .WithName("BeginAuditVerification")
            .WithSummary("Start re-verifying the whole audit trail, the events and every record in the background; answers 202 with the run and its Location.")
            .WithDescription("One run at a time: while one is running, this answers that run instead of starting another, so it is safe to repeat. Poll the Location until status is no longer running; result is then what GET /v1/audit/verification answers.")
            .Produces<VerificationRun>(202)
            .RequireAuthorization(p => p.RequireRole(Roles.Dpo));

        api.MapGet("/audit/verifications", async (VerificationRuns runs, CancellationToken ct) => TypedResults.Ok(await runs.ListAsync(Listed, ct)))
            .WithName("ListAuditVerifications")
            .WithSummary("The latest 20 re-verification runs, newest first: who asked, when, how far each got and what it found.")
            .Produces<IReadOnlyList<VerificationRun>>()
            .RequireAuthorization(p => p.RequireRole(Roles.Dpo));

        api.MapGet("/audit/verifications/{id}", GetAsync)
            .WithName("GetAuditVerification")
            .WithSummary("One re-verification run: running (with the entries and records checked so far), completed (with its result), interrupted or failed (with why).")
            .Produces<VerificationRun>()
            .RequireAuthorization(p => p.RequireRole(Roles.Dpo));
    }

    private static async Task<Results<Accepted<VerificationRun>, ProblemHttpResult>> BeginAsync(VerificationRuns runs, HttpContext http, CancellationToken ct) =>
        await runs.BeginAsync(Caller.From(http.User).Subject, ct) is { } run
            ? TypedResults.Accepted($"/v1/audit/verifications/{run.Id}", run)
            : Problems.Of(Problems.TimedOut, "A check was starting on another server and had not shown itself after 5 seconds. Retry shortly.");

    private static async Task<Results<Ok<VerificationRun>, ProblemHttpResult>> GetAsync(string id, VerificationRuns runs, CancellationToken ct) =>
        await runs.FindAsync(id, ct) is { } run ? TypedResults.Ok(run) : Problems.Of(Problems.NotFound, "No verification run with this id.");
}
