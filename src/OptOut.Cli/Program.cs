using OptOut.Cli;
using OptOut.Cli.Audit;
using OptOut.Cli.Checks;
using OptOut.Cli.Tokens;

var command = args.Length > 0 ? args[0] : "help";
var rest = new Arguments(args.Skip(1).ToArray());

return command switch
{
    "token" => TokenCommand.Run(rest, Console.Out, Console.Error),
    "audit-verify" => await AuditVerifyCommand.RunAsync(args.Length > 1 ? args[1] : null, rest, Console.Out),
    "check" => await CheckCommand.RunAsync(args.Length > 1 ? args[1] : null, rest, Console.OpenStandardOutput(), Console.Error),
    _ => Help(),
};

static int Help()
{
    Console.Error.WriteLine("usage: " + TokenCommand.Usage);
    Console.Error.WriteLine("       " + CheckCommand.Usage);
    Console.Error.WriteLine("       " + AuditVerifyCommand.Usage);
    return 2;
}
