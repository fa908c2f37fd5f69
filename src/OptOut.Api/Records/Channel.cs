using System.Text.Json.Serialization;

namespace OptOut.Records;

/// <summary>How a choice reached OptOut: the NHS source-of-choice codes in the comments.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Channel>))]
public enum Channel
{
    /// <summary>OP: online process, NHS number plus a code sent to the registered email or mobile.</summary>
    [JsonStringEnumMemberName("online")] Online,

    /// <summary>PFSP: patient-facing service app (the NHS App).</summary>
    [JsonStringEnumMemberName("nhs-app")] NhsApp,

    /// <summary>FN: form on NHS.UK.</summary>
    [JsonStringEnumMemberName("nhs-form")] NhsForm,

    /// <summary>CC: call centre.</summary>
    [JsonStringEnumMemberName("call-centre")] CallCentre,

    /// <summary>PP: paper process, by post.</summary>
    [JsonStringEnumMemberName("paper")] Paper,

    /// <summary>Imported from the system of record OptOut replaced; the original channel was not carried over.</summary>
    [JsonStringEnumMemberName("migrated")] Migrated,
}

public static class ChannelCodes
{
    public static string WireName(this Channel channel) => WireNames.Of(channel);
}
