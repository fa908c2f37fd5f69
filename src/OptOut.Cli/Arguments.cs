namespace OptOut.Cli;

/// <summary>"--name value" pairs and positional words, enough for a handful of commands.</summary>
public sealed class Arguments(IReadOnlyList<string> words)
{
    public string? Value(string name)
    {
        for (var i = 0; i < words.Count - 1; i++)
        {
            if (words[i] == name)
            {
                return words[i + 1];
            }
        }

        return null;
    }
}
