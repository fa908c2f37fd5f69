using Marten;
using OptOut.Records;
using OptOut.Security;

namespace OptOut.Proxies;

/// <summary>One person a proxy may act for now, and in what capacity.</summary>
public sealed record ActingFor(string NhsNumber, ProxyRole Role, DateTimeOffset From, DateTimeOffset? ValidUntil);

public sealed record ActingForResponse(IReadOnlyList<ActingFor> Patients, IReadOnlyList<ActingFor> Ended);

/// <summary>
/// For a signed-in proxy: whose choices they may manage now (staff recorded their authority), and whose authority has
/// ended (revoked, expired, or the child turned 13), so the pages can say why.
/// </summary>
public static class GetMyPatientsEndpoint
{
    public static void MapGetMyPatients(this IEndpointRouteBuilder api) =>
        api.MapGet("/proxies/me/patients", Handle)
            .WithName("GetMyPatients")
            .WithSummary("The patients the calling proxy may act for now, and those whose authority has ended.")
            .Produces<ActingForResponse>()
            .RequireAuthorization(p => p.RequireRole(Roles.Proxy));

    private static async Task<Ok<ActingForResponse>> Handle(HttpContext http, IQuerySession session, TimeProvider clock, CancellationToken ct)
    {
        var proxyId = Caller.From(http.User).Subject;
        var now = clock.GetUtcNow();
        var records = await session.Query<PatientPreferences>().Where(p => p.Proxies.Any(x => x.ProxyId == proxyId)).ToListAsync(ct);
        var authorities = records.Where(r => r.SupersededBy is null)
            .Select(r => (Record: r, Authority: r.Proxies.Single(x => x.ProxyId == proxyId)))
            .Select(x => (x.Authority, View: new ActingFor(x.Record.Id, x.Authority.Role, x.Authority.From, x.Authority.RevokedAt ?? x.Authority.ValidUntil)))
            .ToList();
        return TypedResults.Ok(new ActingForResponse(
            [.. authorities.Where(a => a.Authority.IsActiveAt(now)).Select(a => a.View)],
            [.. authorities.Where(a => !a.Authority.IsActiveAt(now)).Select(a => a.View)]));
    }
}
