namespace OptOut.Http;

/// <summary>
/// A numeric query parameter outside its range, said back with the value given, so a caller who sent several sees
/// which one was wrong.
/// </summary>
public static class QueryRanges
{
    public static string? Outside(string name, long? value, long min, long max) =>
        value < min || value > max ? $"{name} is {min} to {max}; it was {value}." : null;

    public static string? Below(string name, long? value, long min, string what) =>
        value < min ? $"{name} is {what}, {min} or more; it was {value}." : null;
}
