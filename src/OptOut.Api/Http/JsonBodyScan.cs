using System.Text.Json;

namespace OptOut.Http;

/// <summary>
/// Walks a JSON body once, without binding it: every property name and string value must be safe text
/// (<see cref="SafeText.FirstUnsafe"/>, a tab allowed in values), and no object may name a property twice,
/// whatever the letter case (the binder matches names without regard to case, so "OptedOut" and "optedOut" are one).
/// </summary>
public static class JsonBodyScan
{
    /// <summary>The first problem, naming its JSON path; null if there is none. Throws <see cref="JsonException"/> if it is not JSON.</summary>
    public static string? FirstProblem(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        var objects = new Stack<HashSet<string>?>();
        var path = new Stack<string>();
        string? property = null;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    Enter(property);
                    objects.Push(new HashSet<string>(StringComparer.OrdinalIgnoreCase));
                    break;
                case JsonTokenType.StartArray:
                    Enter(property);
                    objects.Push(null);
                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    objects.Pop();
                    if (path.Count > 0)
                    {
                        path.Pop();
                    }

                    property = null;
                    break;
                case JsonTokenType.PropertyName:
                    property = reader.GetString()!;
                    if (SafeText.FirstUnsafe(property, allowTab: false) is { } inName)
                    {
                        return $"A property name at {Path(null)} holds {inName}.";
                    }

                    if (objects.Peek() is { } seen && !seen.Add(property))
                    {
                        return $"{Path(property)} is given more than once (property names are matched without regard to case).";
                    }

                    continue;
                case JsonTokenType.String:
                    if (SafeText.FirstUnsafe(reader.GetString(), allowTab: true) is { } inValue)
                    {
                        return $"{Path(property)} holds {inValue}.";
                    }

                    property = null;
                    break;
                default:
                    property = null;
                    break;
            }
        }

        return null;

        void Enter(string? name)
        {
            if (objects.Count > 0)
            {
                path.Push(name ?? "[]");
            }
        }

        string Path(string? last) => "$" + string.Concat(path.Reverse().Append(last).Where(p => p is not null).Select(p => p == "[]" ? "[]" : "." + p));
    }
}
