using System.Text.Json.Serialization;

namespace OptOut.Decisions;

/// <summary>The capacity in which someone other than the patient decides (NHS FHIR proxy role codes).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ProxyRole>))]
public enum ProxyRole
{
    /// <summary>A person with parental responsibility for a child under 13.</summary>
    [JsonStringEnumMemberName("GUARDIAN")] Guardian,

    /// <summary>A holder of a lasting power of attorney.</summary>
    [JsonStringEnumMemberName("POA")] PowerOfAttorney,

    /// <summary>A court-appointed deputy.</summary>
    [JsonStringEnumMemberName("COURTDEP")] CourtDeputy,
}

public static class ProxyRoleCodes
{
    public static string ToWire(this ProxyRole role) => role switch
    {
        ProxyRole.Guardian => "GUARDIAN",
        ProxyRole.PowerOfAttorney => "POA",
        ProxyRole.CourtDeputy => "COURTDEP",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, null),
    };
}
