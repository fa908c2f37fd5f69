using System.Globalization;
using Npgsql;
using OptOut.Http;
using OptOut.NhsNumbers;

namespace OptOut.Audit.Reports;

/// <summary>
/// Which audit entries a data-protection officer asks for: by period, patient, actor, role, kind, stated purpose and
/// outcome. One parser and one SQL condition, shared by the paged search and the streamed export, so an export holds
/// exactly what the search showed.
/// </summary>
public sealed record AuditFilter(DateTimeOffset? From, DateTimeOffset? To, string? NhsNumber, string? Actor, string? Role, string? Kind, string? Purpose, int? Outcome, string? Reference = null)
{
    /// <summary>
    /// The filter as SQL over <paramref name="table"/>. A period also bounds the entry sequence, found through the
    /// recorded_at index: pages are read newest first along the sequence, and without the bound a search for a day long
    /// past walked back over every later entry (docs/benchmarks.md). Entries are chained in time order,
    /// so the bound is the sequence of the last entry before the period's end (and the first from its start), widened
    /// by a minute for clock differences between instances; entries chained together share a time, so ties go to the
    /// highest (lowest) sequence. recorded_at itself still decides what matches.
    /// </summary>
    public static string Where(string table) =>
        "(@from::timestamptz is null or recorded_at >= @from) and (@to::timestamptz is null or recorded_at < @to) " +
        "and (@nhs::text is null or nhs_number = @nhs) and (@actor::text is null or actor = @actor) and (@role::text is null or actor_role = @role) " +
        "and (@kind::text is null or kind = @kind) and (@purpose::text is null or purpose = @purpose) and (@outcome::int is null or outcome = @outcome) " +
        "and (@reference::text is null or (kind = 'change' and (details::jsonb ->> 'reference') = @reference)) " +
        $"and (@to::timestamptz is null or seq <= coalesce((select b.seq from {table} b where b.recorded_at < @to + interval '1 minute' order by b.recorded_at desc, b.seq desc limit 1), 0)) " +
        $"and (@from::timestamptz is null or seq >= coalesce((select b.seq from {table} b where b.recorded_at >= @from - interval '1 minute' order by b.recorded_at, b.seq limit 1), 9223372036854775807))";

    /// <summary>The query parameters <see cref="Parse"/> reads.</summary>
    public static readonly Http.ReadsQuery Parameters = new(
        new("from", "Entries recorded at or after this instant."),
        new("to", "Entries recorded before this instant."),
        new("nhsNumber", "Entries about this patient."),
        new("actor", "Entries by this caller (a token's subject)."),
        new("role", "Entries by callers in this role (patient, proxy, pipeline, practice, dpo, admin), or by OptOut itself (system)."),
        new("kind", "change or access."),
        // Not "purpose": on every endpoint that names the purpose the caller states for their own audit entry, and a
        // DPO searching for research would otherwise be recorded as having looked for research.
        new("statedPurpose", "Entries whose caller stated this purpose (their ?purpose= or X-Purpose)."),
        new("outcome", "Entries answered with this HTTP status (100 to 599).", "integer"),
        new("reference", "The change with this reference (what a confirmation page shows)."));

    private static readonly string[] SearchableRoles =
        [Security.Roles.Patient, Security.Roles.Proxy, Security.Roles.Pipeline, Security.Roles.Practice, Security.Roles.Dpo, Security.Roles.Admin, Records.DecisionMaker.System.ActorRole];

    public static AuditFilter? Parse(IQueryCollection query, out string? problem)
    {
        problem = null;
        string? Text(string name) => query[name].FirstOrDefault() is { Length: > 0 } value ? value : null;
        if (!QueryInstants.TryParse("from", Text("from"), out var from, out var wrong) || !QueryInstants.TryParse("to", Text("to"), out var to, out wrong))
        {
            problem = wrong;
        }
        else if (from > to)
        {
            // Answered, it would be an empty page or export that looks like "nothing happened then".
            problem = "from is later than to: the range holds no time.";
        }
        else if (Text("kind") is { } kind && kind is not ("change" or "access"))
        {
            problem = "kind is change or access.";
        }
        else if (Text("role") is { } role && !SearchableRoles.Contains(role))
        {
            // A role spelt another way ("Patient") would match nothing, and an empty page reads as "no one in that role".
            problem = $"role is one of {string.Join(", ", SearchableRoles)}.";
        }
        else if (Text("nhsNumber") is { } nhs && !NhsNumbers.NhsNumber.TryParse(nhs, out _, out var reason))
        {
            problem = "nhsNumber: " + reason;
        }
        else if (Text("outcome") is { } outcome && !(int.TryParse(outcome, CultureInfo.InvariantCulture, out var status) && status is >= 100 and <= 599))
        {
            problem = "outcome is an HTTP status, 100 to 599.";
        }
        else if (Text("reference") is { } given && !Records.ChangeReference.TryParse(given, out _))
        {
            problem = "reference is a change's reference: eight letters and digits, as in 7KQ4-M2XD.";
        }
        else
        {
            var reference = Text("reference") is { } r && Records.ChangeReference.TryParse(r, out var parsed) ? parsed : null;
            return new AuditFilter(from, to, Text("nhsNumber") is { } n ? NhsNumbers.NhsNumber.Parse(n).Value : null, Text("actor"), Text("role"),
                Text("kind"), Text("statedPurpose"), Text("outcome") is { } o ? int.Parse(o, CultureInfo.InvariantCulture) : null, reference);
        }

        return null;
    }

    public void AddParameters(NpgsqlCommand command)
    {
        command.Parameters.AddWithValue("from", (object?)From ?? DBNull.Value);
        command.Parameters.AddWithValue("to", (object?)To ?? DBNull.Value);
        command.Parameters.AddWithValue("nhs", (object?)NhsNumber ?? DBNull.Value);
        command.Parameters.AddWithValue("actor", (object?)Actor ?? DBNull.Value);
        command.Parameters.AddWithValue("role", (object?)Role ?? DBNull.Value);
        command.Parameters.AddWithValue("kind", (object?)Kind ?? DBNull.Value);
        command.Parameters.AddWithValue("purpose", (object?)Purpose ?? DBNull.Value);
        command.Parameters.AddWithValue("outcome", (object?)Outcome ?? DBNull.Value);
        command.Parameters.AddWithValue("reference", (object?)Reference ?? DBNull.Value);
    }

}
