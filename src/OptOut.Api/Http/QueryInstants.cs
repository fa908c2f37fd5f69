namespace OptOut.Http;

/// <summary>An instant given in a query, read by the one strict reader (<see cref="Contracts.Instants"/>).</summary>
public static class QueryInstants
{
    /// <summary>True with null for a value not given; false, with a problem naming the parameter, for one that is not an instant.</summary>
    public static bool TryParse(string name, string? value, out DateTimeOffset? instant, out string problem)
    {
        instant = null;
        problem = "";
        if (value is null)
        {
            return true;
        }

        if (!Contracts.Instants.TryParse(value, out var parsed, out var why))
        {
            problem = $"{name} {why}.";
            return false;
        }

        instant = parsed;
        return true;
    }
}
