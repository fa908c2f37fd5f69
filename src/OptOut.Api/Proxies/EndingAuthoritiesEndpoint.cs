using Marten;
using OptOut.Records;
using OptOut.Security;

namespace OptOut.Proxies;

/// <summary>A proxy's authority that ends soon: a guardian's at the child's 13th birthday, or a dated authority's end.</summary>
public sealed record EndingAuthority(string NhsNumber, string ProxyId, ProxyRole Role, string EvidenceReference, DateTimeOffset From, DateTimeOffset EndsAt);

public sealed record EndingAuthorities(DateTimeOffset From, DateTimeOffset Until, IReadOnlyList<EndingAuthority> Authorities);

/// <summary>
/// For staff: authorities that end within the coming days, soonest first, so the contact centre can tell proxies and
/// patients before a guardian's authority lapses at the child's 13th birthday or a dated authority runs out.
/// </summary>
public static class EndingAuthoritiesEndpoint
{
    private const int MaxDays = 366;

    public static void MapEndingAuthorities(this IEndpointRouteBuilder api) =>
        api.MapGet("/proxies/ending", Handle)
            .WithName("GetEndingProxyAuthorities")
            .WithSummary("Proxy authorities, neither revoked nor ended, that end within the next days (1 to 366, default 30), soonest first.")
            .Produces<EndingAuthorities>()
            .RequireAuthorization(p => p.RequireRole(Roles.Admin, Roles.Dpo));

    private static async Task<Results<Ok<EndingAuthorities>, ProblemHttpResult>> Handle(int? days, IQuerySession session, TimeProvider clock, CancellationToken ct)
    {
        if (QueryRanges.Outside("days", days, 1, MaxDays) is { } range)
        {
            return Problems.Of(Problems.InvalidQuery, range);
        }

        var now = clock.GetUtcNow();
        var until = now.AddDays(days ?? 30);
        var records = await session.Query<PatientPreferences>()
            .Where(p => p.Proxies.Any(x => x.ValidUntil >= now && x.ValidUntil < until))
            .ToListAsync(ct);
        var ending = records.Where(r => r.SupersededBy is null)
            .SelectMany(r => r.Proxies
                .Where(x => x.RevokedAt is null && x.ValidUntil >= now && x.ValidUntil < until)
                .Select(x => new EndingAuthority(r.Id, x.ProxyId, x.Role, x.EvidenceReference, x.From, x.ValidUntil!.Value)))
            .OrderBy(x => x.EndsAt)
            .ToList();
        return TypedResults.Ok(new EndingAuthorities(now, until, ending));
    }
}
