using Marten;
using OptOut.Records;
using OptOut.NhsNumbers;

namespace OptOut.Patients;

public static class PatientRecords
{
    /// <summary>Merges rarely chain; this bounds a cycle that a bad merge could create.</summary>
    private const int MaxSupersessionHops = 8;

    /// <summary>The current record for an NHS number, following supersession to the number that replaced it.</summary>
    public static async Task<PatientPreferences> LoadCurrentAsync(this IQuerySession session, NhsNumber nhsNumber, CancellationToken ct)
    {
        var id = nhsNumber.Value;
        for (var hop = 0; hop < MaxSupersessionHops; hop++)
        {
            var record = await session.LoadAsync<PatientPreferences>(id, ct);
            if (record?.SupersededBy is null)
            {
                return record ?? PatientPreferences.Empty(id);
            }

            id = record.SupersededBy;
        }

        throw new InvalidOperationException("NHS number supersession forms a chain longer than expected.");
    }

    /// <summary>
    /// The read path every per-patient read takes: parse the NHS number, load the current record (following
    /// supersession) and check the caller may see it. Exactly one of the two results is set.
    /// </summary>
    public static async Task<(PatientPreferences? Record, ProblemHttpResult? Problem)> LoadForCallerAsync(
        this IQuerySession session, string nhsNumber, System.Security.Claims.ClaimsPrincipal user, DateTimeOffset now, CancellationToken ct)
    {
        if (PatientAccess.ParseNhsNumber(nhsNumber, out var patient) is { } invalid)
        {
            return (null, invalid);
        }

        var record = await session.LoadCurrentAsync(patient, ct);
        return PatientAccess.Check(Security.Caller.From(user), record, now) is { } denied ? (null, denied) : (record, null);
    }
}
