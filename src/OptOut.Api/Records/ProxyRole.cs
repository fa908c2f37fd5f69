using System.Text.Json.Serialization;

namespace OptOut.Records;

/// <summary>
/// The capacity in which someone other than the patient decides. On the JSON API in the same kebab case as every other
/// closed set (guardian, power-of-attorney, court-deputy); in FHIR as the NHS proxy role codes (<see cref="ProxyRoleCodes"/>).
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<ProxyRole>))]
public enum ProxyRole
{
    /// <summary>A person with parental responsibility for a child under 13.</summary>
    [JsonStringEnumMemberName("guardian")] Guardian,

    /// <summary>A holder of a lasting power of attorney.</summary>
    [JsonStringEnumMemberName("power-of-attorney")] PowerOfAttorney,

    /// <summary>A court-appointed deputy.</summary>
    [JsonStringEnumMemberName("court-deputy")] CourtDeputy,
}

/// <summary>The NHS FHIR proxy role codes, for FHIR resources.</summary>
public static class ProxyRoleCodes
{
    /// <summary>As the JSON API and the messages write it: guardian, power-of-attorney, court-deputy.</summary>
    public static string WireName(this ProxyRole role) => WireNames.Of(role);

    public static string ToFhirCode(this ProxyRole role) => role switch
    {
        ProxyRole.Guardian => "GUARDIAN",
        ProxyRole.PowerOfAttorney => "POA",
        ProxyRole.CourtDeputy => "COURTDEP",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, null),
    };
}
