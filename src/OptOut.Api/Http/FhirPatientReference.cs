using OptOut.NhsNumbers;

namespace OptOut.Http;

/// <summary>The ways a FHIR client names a patient, all meaning one NHS number.</summary>
public static class FhirPatientReference
{
    /// <summary>The FHIR identifier system of NHS numbers.</summary>
    public const string NhsNumberSystem = "https://fhir.nhs.uk/Id/nhs-number";

    /// <summary>
    /// patient=9434765919, patient=Patient/9434765919, or an identifier token
    /// (patient:identifier=https://fhir.nhs.uk/Id/nhs-number|9434765919, or the same token given to patient).
    /// </summary>
    public static bool TryParse(string? raw, out NhsNumber nhsNumber, out string? error)
    {
        var value = raw switch
        {
            null => null,
            _ when raw.StartsWith("Patient/", StringComparison.Ordinal) => raw["Patient/".Length..],
            _ when raw.Split('|') is [var system, var number] => system is NhsNumberSystem or "" ? number : null,
            _ => raw,
        };
        if (value is null)
        {
            nhsNumber = default;
            error = $"An identifier must be in the system {NhsNumberSystem}.";
            return false;
        }

        return NhsNumber.TryParse(value, out nhsNumber, out error);
    }

    /// <summary>The patient a Consent id (NHS number, hyphen, choice) belongs to.</summary>
    public static bool TryParseConsentId(string id, out NhsNumber nhsNumber) =>
        NhsNumber.TryParse(id.Length > 11 && id[10] == '-' ? id[..10] : null, out nhsNumber, out _);
}
