using System.Diagnostics;
using System.Text.Json;
using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.Http;

/// <summary>
/// The OpenAPI document as its consumers use it: Redocly's recommended rules find no error in it, and a TypeScript
/// client generated from it refuses an incomplete body. The tools come from npm (tests/OpenApiContract, installed
/// by infra/optout test).
/// </summary>
[Collection(OptOutServiceGroup.Name)]
public class OpenApiContractTests(OptOutService service)
{
    private static readonly string Tools = Path.Combine(Repository.Root, "tests", "OpenApiContract");

    [Fact]
    public async Task The_document_passes_Redocly_recommended_rules_with_no_errors()
    {
        var document = await DocumentAsync();

        var lint = await RunAsync("redocly", "lint", document, "--config", Path.Combine(Tools, "redocly.yaml"), "--format", "json");

        var report = JsonDocument.Parse(lint.Stdout[lint.Stdout.IndexOf('{', StringComparison.Ordinal)..]).RootElement;
        var errors = report.GetProperty("problems").EnumerateArray().Where(p => p.GetProperty("severity").GetString() == "error").ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => e.GetProperty("message").GetString())));
        Assert.Equal(0, lint.ExitCode);
    }

    [Fact]
    public async Task Every_operation_documents_its_problems_roles_parameters_and_the_content_of_its_answer()
    {
        var document = JsonDocument.Parse(await service.CreateClient().GetStringAsync("/swagger/v1/swagger.json")).RootElement;

        foreach (var path in document.GetProperty("paths").EnumerateObject().Where(p => p.Name.StartsWith("/v1/", StringComparison.Ordinal)))
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var what = $"{operation.Name} {path.Name}";
                var responses = operation.Value.GetProperty("responses");
                // Success is a 200, or a 202 for work begun in the background (a re-verification run).
                var success = responses.TryGetProperty("200", out var ok) ? ok : responses.GetProperty("202");
                Assert.True(success.TryGetProperty("content", out _), $"{what}: a success without content");
                var anonymous = operation.Value.GetProperty("x-roles")[0].GetString() == "anyone";
                Assert.Equal(anonymous, !responses.TryGetProperty("401", out _));
                foreach (var status in anonymous ? ["429", "503"] : new[] { "401", "403", "429", "503" })
                {
                    Assert.True(responses.TryGetProperty(status, out var problem), $"{what}: no {status}");
                    Assert.True(problem.GetProperty("content").TryGetProperty("application/problem+json", out _), $"{what}: {status} is not a problem");
                }

                Assert.True(operation.Value.TryGetProperty("x-roles", out _), $"{what}: roles not documented");
                // A generated client sends a date-time parameter as text: a number documented as one could not be sent.
                foreach (var schema in operation.Value.TryGetProperty("parameters", out var parameters) ? parameters.EnumerateArray().Select(p => p.GetProperty("schema")) : [])
                {
                    Assert.False(schema.TryGetProperty("format", out var format) && format.GetString() == "date-time" && schema.GetProperty("type").GetString() != "string", $"{what}: {schema}");
                }

                Assert.DoesNotContain("Endpoint", operation.Value.GetProperty("tags")[0].GetString(), StringComparison.Ordinal);
            }
        }

        // The audit search reads its filter from the query itself; the document still lists it, instants as date-times.
        var search = document.GetProperty("paths").GetProperty("/v1/audit/entries").GetProperty("get").GetProperty("parameters").EnumerateArray()
            .ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("schema"));
        Assert.Superset(new HashSet<string> { "from", "to", "nhsNumber", "actor", "role", "kind", "statedPurpose", "outcome", "reference", "before", "limit" }, search.Keys.ToHashSet());
        Assert.Equal("date-time", search["from"].GetProperty("format").GetString());
        Assert.Equal("integer", search["outcome"].GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_client_generated_from_the_document_refuses_an_incomplete_body()
    {
        var folder = Directory.CreateTempSubdirectory("optout-client-").FullName;
        var generated = await RunAsync("openapi-typescript", await DocumentAsync(), "--output", Path.Combine(folder, "api.d.ts"));
        Assert.True(generated.ExitCode == 0, generated.Stderr);
        // Each @ts-expect-error must meet an error: were {} or a made-up channel accepted, tsc would fail on the unused directive.
        await File.WriteAllTextAsync(Path.Combine(folder, "client.ts"), """
            import type { components } from "./api";
            type ChangeOptOut = components["schemas"]["NationalDataOptOutRequest"];
            type Proxy = components["schemas"]["ProxyRequest"];
            // @ts-expect-error optedOut and channel are required
            export const incomplete: ChangeOptOut = {};
            // @ts-expect-error fax is not a channel
            export const wrongChannel: ChangeOptOut = { optedOut: true, channel: "fax" };
            // @ts-expect-error a proxy needs a role and the evidence of their authority
            export const anonymousProxy: Proxy = { proxyId: "p-1" };
            export const complete: ChangeOptOut = { optedOut: true, channel: "nhs-app" };
            """);

        var compiled = await RunAsync("tsc", "--noEmit", "--strict", Path.Combine(folder, "client.ts"));

        Assert.True(compiled.ExitCode == 0, compiled.Stdout + compiled.Stderr);
    }

    private async Task<string> DocumentAsync()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("optout-openapi-").FullName, "openapi.json");
        await File.WriteAllTextAsync(file, await service.CreateClient().GetStringAsync("/swagger/v1/swagger.json"));
        return file;
    }

    private static Task<CliRun> RunAsync(string tool, params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(Tools, "node_modules", ".bin", tool), args) { WorkingDirectory = Tools };
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        return OptOutCli.RunAsync(start);
    }
}
