using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json.Serialization;

namespace OptOut.Records;

/// <summary>
/// An enum value as the JSON API writes it (its JsonStringEnumMemberName), so messages and other text outputs use the
/// same word as the API, from one place.
/// </summary>
public static class WireNames
{
    private static readonly ConcurrentDictionary<Enum, string> Names = new();

    public static string Of<TEnum>(TEnum value)
        where TEnum : struct, Enum =>
        Names.GetOrAdd(value, v => typeof(TEnum).GetField(v.ToString())?.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name
                                   ?? throw new ArgumentOutOfRangeException(nameof(value), value, "No wire name."));
}
