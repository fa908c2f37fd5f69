using OptOut.Contracts.Audit;
using OptOut.Witness;

// A witness (C2SP tlog-witness) of OptOut's audit log, as its own process with its own key: it cosigns a checkpoint
// only after checking it extends the last one it cosigned, so a log cannot show one history to some and another to
// others without a witness refusing and keeping the proof.
var builder = WebApplication.CreateBuilder(args);
builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 64 * 1024);
// Settings in code, not an appsettings.json: the tests build this project beside the service, and a second
// appsettings.json would land in their output over the service's.
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
var settings = builder.Configuration.GetSection("Witness");
var logs = settings.GetSection("Logs").Get<string[]>() ?? [];
var known = new Dictionary<string, string>(StringComparer.Ordinal);
foreach (var log in logs)
{
    var parsed = SignedNote.ParseVerifierKey(log) ?? throw new InvalidOperationException($"Witness:Logs holds a verifier key that is not one: {log}");
    known[parsed.Name] = log;
}

builder.Services.AddSingleton(new Cosigner(settings["Name"] ?? "localhost/optout/witness", settings["SigningKeyPem"]));
builder.Services.AddSingleton(new WitnessState(settings["StateDirectory"] ?? Path.Combine(builder.Environment.ContentRootPath, ".witness")));
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton(sp => new AddCheckpoint(
    sp.GetRequiredService<Cosigner>(), sp.GetRequiredService<WitnessState>(), known, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<AddCheckpoint>>()));

var app = builder.Build();
if (args is ["key", ..])
{
    // `infra/optout run` tells the log this witness's verifier key before either starts.
    Console.WriteLine(app.Services.GetRequiredService<Cosigner>().VerifierKey);
    return 0;
}

app.MapPost("/add-checkpoint", async (HttpRequest request, AddCheckpoint add) =>
{
    using var reader = new StreamReader(request.Body);
    return await add.HandleAsync(await reader.ReadToEndAsync());
});
app.MapGet("/key", (Cosigner cosigner) => Results.Text(cosigner.VerifierKey + "\n"));
await app.RunAsync();
return 0;
