using System.CommandLine;
using OptOut.Cli;
using OptOut.Cli.Audit;
using OptOut.Cli.Checks;
using OptOut.Cli.Tokens;

// System.CommandLine, rather than hand-parsed words: unknown options, missing required ones and bad values are
// refused before anything runs, and every command gets --help.
var root = new RootCommand("OptOut's command-line client: development tokens, bulk opt-out checks, offline audit verification.")
{
    TokenCommand.Create(Console.Out, Console.Error),
    CheckCommand.Create(Console.OpenStandardOutput, Console.Error),
    AuditVerifyCommand.Create(Console.Out, Console.Error),
};

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0 || parsed.CommandResult.Command == root && parsed.Action is null)
{
    foreach (var error in parsed.Errors)
    {
        await Console.Error.WriteLineAsync("optout: " + error.Message);
    }

    await Console.Error.WriteLineAsync($"Run '{string.Join(' ', ["optout", .. CommandPath(parsed.CommandResult.Command)])} --help' for usage.");
    return ExitCodes.Usage;
}

return await parsed.InvokeAsync(new InvocationConfiguration { Output = Console.Out, Error = Console.Error });

static IEnumerable<string> CommandPath(Command command) => command is RootCommand ? [] : [command.Name];
