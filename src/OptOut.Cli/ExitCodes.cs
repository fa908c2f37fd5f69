namespace OptOut.Cli;

/// <summary>What the optout tool's exit status means, so scripts can tell a refusal from an outage (README).</summary>
public static class ExitCodes
{
    /// <summary>Done: the answer is on stdout.</summary>
    public const int Done = 0;

    /// <summary>audit-verify: the export does not verify.</summary>
    public const int NotVerified = 1;

    /// <summary>Unknown, missing or malformed options or arguments; nothing was sent.</summary>
    public const int Usage = 2;

    /// <summary>The input file is missing, unreadable, empty or malformed.</summary>
    public const int Input = 3;

    /// <summary>The service refused the request (a problem response); its type and detail are on stderr.</summary>
    public const int Refused = 4;

    /// <summary>The service could not be reached, or the connection broke.</summary>
    public const int Unreachable = 5;
}
