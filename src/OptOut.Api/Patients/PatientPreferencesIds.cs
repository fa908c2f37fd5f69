using OptOut.NhsNumbers;

namespace OptOut.Patients;

public static class PatientPreferencesIds
{
    /// <summary>A record's id is always a valid NHS number: only parsed numbers key streams.</summary>
    public static NhsNumber NhsNumberOf(PatientPreferences record) => NhsNumber.Parse(record.Id);
}
