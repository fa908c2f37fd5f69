using Npgsql;
using OptOut.Security;

namespace OptOut.Audit.Reports;

/// <summary>One page of audit entries, newest first; <c>before</c> fetches the next (older) page.</summary>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Entries, long? Before);

/// <summary>
/// The audit explorer's reads: a filtered page of the trail, keyset-paged on the entry sequence (never an offset, so a
/// page costs the same however deep), and one entry with everything it holds.
/// </summary>
public static class AuditSearchEndpoints
{
    private const int MaxPage = 200;

    public static void MapAuditSearch(this IEndpointRouteBuilder api)
    {
        api.MapGet("/audit/entries", SearchAsync)
            .WithName("SearchAudit")
            .WithMetadata(AuditFilter.Parameters)
            .WithSummary("A page of audit entries matching the filters (from, to, nhsNumber, actor, role, kind, purpose, outcome, reference), newest first.")
            .WithDescription("Keyset paged: pass the response's before to get older entries; limit is 1 to 200 (default 50).")
            .Produces<AuditPage>()
            .RequireAuthorization(p => p.RequireRole(Roles.Dpo));

        api.MapGet("/audit/entries/{sequence:long}", GetAsync)
            .WithName("GetAuditEntry")
            .WithSummary("One audit entry, with everything it holds.")
            .Produces<AuditEntry>()
            .RequireAuthorization(p => p.RequireRole(Roles.Dpo));
    }

    private static async Task<Results<Ok<AuditPage>, ProblemHttpResult>> SearchAsync(
        HttpContext http, long? before, int? limit, NpgsqlDataSource database, AuditSchema schema, CancellationToken ct)
    {
        if (AuditFilter.Parse(http.Request.Query, out var wrong) is not { } filter)
        {
            return Problems.Of(Problems.InvalidQuery, wrong!);
        }

        if ((QueryRanges.Below("before", before, 1, "an entry sequence from an earlier page") ?? QueryRanges.Outside("limit", limit, 1, MaxPage)) is { } range)
        {
            return Problems.Of(Problems.InvalidQuery, range);
        }

        var size = limit ?? 50;
        await using var command = database.CreateCommand(
            $"select {AuditRows.Columns} from {schema.Table} " +
            $"where seq < @before and {AuditFilter.Where(schema.Table)} order by seq desc limit @limit");
        command.Parameters.AddWithValue("before", before ?? long.MaxValue);
        command.Parameters.AddWithValue("limit", size);
        filter.AddParameters(command);
        var entries = new List<AuditEntry>(size);
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                entries.Add(AuditRows.Read(reader));
            }
        }

        return TypedResults.Ok(new AuditPage(entries, entries.Count == size ? entries[^1].Sequence : null));
    }

    private static async Task<Results<Ok<AuditEntry>, ProblemHttpResult>> GetAsync(long sequence, NpgsqlDataSource database, AuditSchema schema, CancellationToken ct)
    {
        await using var command = database.CreateCommand(
            $"select {AuditRows.Columns} from {schema.Table} where seq = @seq");
        command.Parameters.AddWithValue("seq", sequence);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? TypedResults.Ok(AuditRows.Read(reader))
            : Problems.Of(Problems.NotFound, $"No audit entry has sequence {sequence}.");
    }
}
