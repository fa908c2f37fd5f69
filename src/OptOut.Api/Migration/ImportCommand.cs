using System.Text.Json;
using Marten;

namespace OptOut.Migration;

public static class ImportCommand
{
    private static readonly JsonSerializerOptions Report = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static async Task<int> RunAsync(IServiceProvider services, string path)
    {
        if (!File.Exists(path))
        {
            await Console.Error.WriteLineAsync($"optout import: no such file: {path}");
            return 2;
        }

        await services.GetRequiredService<IDocumentStore>().Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        // Each batch commits its audit record beside its events, for the service's chain leader to chain.
        await services.GetRequiredService<Audit.AuditSchema>().EnsureAsync(CancellationToken.None);
        await using var file = File.OpenRead(path);
        var progress = new Progress<long>(line => Console.Error.Write($"\roptout import: {line:N0} lines read"));
        ImportReport report;
        try
        {
            report = await services.GetRequiredService<OptOutImporter>().ImportAsync(file, "import:" + Path.GetFileName(path), progress, CancellationToken.None);
        }
        catch (ImportRefusedException refused)
        {
            await Console.Error.WriteLineAsync($"optout import: {refused.Message}");
            return 2;
        }

        await Console.Error.WriteLineAsync();
        Console.WriteLine(JsonSerializer.Serialize(report, Report));
        return report.Invalid == 0 ? 0 : 1;
    }
}
