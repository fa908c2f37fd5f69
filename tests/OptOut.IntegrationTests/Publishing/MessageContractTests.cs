using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using OptOut.IntegrationTests.Infrastructure;
using OptOut.Records;

namespace OptOut.IntegrationTests.Publishing;

/// <summary>
/// The JSON Schemas in contracts/schemas/v1 are what consumers build against: every message OptOut really publishes
/// matches its schema inside an envelope that matches the envelope schema, and each schema names exactly the fields
/// of its contract record.
/// </summary>
[Collection(OptOutServiceGroup.Name)]
public class MessageContractTests(OptOutService service)
{
    private static readonly string Schemas = Path.Combine(Repository.Root, "contracts", "schemas", "v1");

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, JsonSchema> Loaded = new();

    public static TheoryData<string> Messages => [.. ContractTypes().Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(Messages))]
    public void Each_schema_names_exactly_the_fields_of_its_contract_record(string message)
    {
        var schema = JsonNode.Parse(File.ReadAllText(Path.Combine(Schemas, $"{message}.schema.json")))!;
        var record = ContractTypes().Single(t => t.Name == message);
        var fields = record.GetConstructors().Single().GetParameters().Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name!));

        Assert.Equal(fields.Order(StringComparer.Ordinal), schema["properties"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(fields.Order(StringComparer.Ordinal), schema["required"]!.AsArray().Select(r => r!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.False(schema["additionalProperties"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Every_published_change_matches_its_schema_inside_a_valid_envelope()
    {
        var exchanges = new[] { "NationalDataOptOutChanged", "Type1OptOutChanged", "ConsentChanged", "ProxyAuthorityChanged", "NhsNumberSuperseded" };
        var queues = new Dictionary<string, ChangeSubscriber>();
        foreach (var name in exchanges)
        {
            queues[name] = await ChangeSubscriber.BindAsync(service.Servers.RabbitMq, $"OptOut.Contracts.V1:{name}");
        }

        try
        {
            var nhs = TestPatients.NewNhsNumber();
            var replacement = TestPatients.NewNhsNumber();
            var admin = service.As("admin");
            await service.As("patient", nhs).PutOptOutAsync(nhs, new { optedOut = true, channel = "nhs-app" }).JsonAsync();
            await service.As("practice", odsCode: "A81001").SendJsonAsync(HttpMethod.Put, $"/v1/patients/{nhs}/type-1-opt-out",
                new { dissent = true, practiceOdsCode = "A81001", code = "9Nu0" }).JsonAsync();
            await service.As("patient", nhs).SendJsonAsync(HttpMethod.Put, $"/v1/patients/{nhs}/consents/wearable-data-sharing", new { decision = "permit" }).JsonAsync();
            await admin.SendJsonAsync(HttpMethod.Post, $"/v1/patients/{nhs}/proxies", new { proxyId = "attorney-1", role = "power-of-attorney", evidenceReference = "LPA-1" }).JsonAsync();
            await admin.SendJsonAsync(HttpMethod.Post, $"/v1/patients/{nhs}/supersession", new { newNhsNumber = replacement }).JsonAsync();

            foreach (var (name, queue) in queues)
            {
                var envelope = Assert.Single(await queue.WaitForAsync(
                    m => m.Message.TryGetProperty(name == "NhsNumberSuperseded" ? "supersededNhsNumber" : "nhsNumber", out var n) && n.GetString() == nhs, 1, TimeSpan.FromSeconds(30)));
                AssertValid("envelope", envelope.Raw);
                AssertValid(name, envelope.Message);
            }
        }
        finally
        {
            foreach (var queue in queues.Values)
            {
                await queue.DisposeAsync();
            }
        }
    }

    [Fact]
    public void The_sample_envelope_in_contracts_matches_the_schemas()
    {
        var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repository.Root, "contracts", "samples", "NationalDataOptOutChanged.envelope.json"))).RootElement;

        AssertValid("envelope", sample);
        AssertValid("NationalDataOptOutChanged", sample.GetProperty("message"));
        Assert.Equal(sample.GetProperty("messageId").GetGuid(), sample.GetProperty("message").GetProperty("eventId").GetGuid());

        // And the schema is no rubber stamp: a made-up channel or a missing field fails it.
        var wrong = JsonNode.Parse(sample.GetProperty("message").GetRawText())!.AsObject();
        wrong["channel"] = "fax";
        wrong.Remove("sequence");
        var schema = Loaded.GetOrAdd("NationalDataOptOutChanged", name => JsonSchema.FromText(File.ReadAllText(Path.Combine(Schemas, $"{name}.schema.json"))));
        Assert.False(schema.Evaluate(JsonDocument.Parse(wrong.ToJsonString()).RootElement).IsValid);
    }

    private static void AssertValid(string schemaName, JsonElement instance)
    {
        // Loaded once each: JsonSchema.Net registers a schema under its $id, and refuses to register it twice.
        var schema = Loaded.GetOrAdd(schemaName, name => JsonSchema.FromText(File.ReadAllText(Path.Combine(Schemas, $"{name}.schema.json"))));
        var result = schema.Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        Assert.True(result.IsValid, $"{schemaName}: " + string.Join("; ", (result.Details ?? []).Where(d => d.Errors is not null)
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));
    }

    private static IEnumerable<Type> ContractTypes() =>
        typeof(OptOut.Contracts.V1.NationalDataOptOutChanged).Assembly.GetTypes()
            .Where(t => t.Namespace == "OptOut.Contracts.V1" && t.IsPublic && t.GetCustomAttribute<System.Runtime.CompilerServices.CompilerGeneratedAttribute>() is null);
}
