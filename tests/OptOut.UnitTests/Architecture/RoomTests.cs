using System.Reflection;
using NetArchTest.Rules;
using OptOut.Records;

namespace OptOut.UnitTests.Architecture;

/// <summary>
/// The rooms of docs/architecture.md, as the compiled code has them (NetArchTest reads the IL, method bodies included, so
/// a fully qualified name or a lambda counts as much as a using line): the patient record at the core imports no other
/// room; plumbing imports the core and other plumbing; a feature imports the core and plumbing, never another feature.
/// </summary>
public class RoomTests
{
    private static readonly Assembly Api = typeof(PatientPreferences).Assembly;

    private static readonly string[] Core = ["OptOut.Records"];

    private static readonly string[] Plumbing =
    [
        "OptOut.EventStore", "OptOut.Indexing", "OptOut.Publishing", "OptOut.Audit", "OptOut.Audit.Transparency", "OptOut.Http", "OptOut.Security",
        "OptOut.Idempotency", "OptOut.Hosting", "OptOut.Hosting.OpenApi", "OptOut.Patients",
    ];

    private static readonly string[] Features =
    [
        "OptOut.NationalDataOptOut", "OptOut.Consents", "OptOut.Proxies", "OptOut.Supersession", "OptOut.Type1OptOut",
        "OptOut.UseDecisions", "OptOut.PipelineChecks", "OptOut.Statistics", "OptOut.Fhir", "OptOut.Catalogue", "OptOut.Migration",
        "OptOut.Patients.History", "OptOut.Patients.Choices", "OptOut.Patients.GetPreferences", "OptOut.Audit.Reports",
    ];

    public static TheoryData<string> CoreRooms => [.. Core];

    public static TheoryData<string> PlumbingRooms => [.. Plumbing];

    public static TheoryData<string> FeatureRooms => [.. Features];

    [Fact]
    public void Every_namespace_is_a_room_the_rules_know()
    {
        var known = Core.Concat(Plumbing).Concat(Features).ToHashSet(StringComparer.Ordinal);
        var unplaced = Api.GetTypes().Select(t => Outermost(t).Namespace).OfType<string>().Where(n => n.StartsWith("OptOut", StringComparison.Ordinal)).Distinct().Where(n => !known.Contains(n)).ToList();
        Assert.True(unplaced.Count == 0, "Place these namespaces in docs/architecture.md and in this test: " + string.Join(", ", unplaced));
    }

    [Theory]
    [MemberData(nameof(CoreRooms))]
    public void The_patient_record_imports_no_other_room_and_nothing_of_HTTP(string room) =>
        AssertImportsNone(room, [.. Plumbing, .. Features, "Microsoft.AspNetCore"]);

    [Theory]
    [MemberData(nameof(PlumbingRooms))]
    public void Plumbing_imports_no_feature(string room) => AssertImportsNone(room, Features);

    [Theory]
    [MemberData(nameof(FeatureRooms))]
    public void A_feature_imports_no_other_feature(string room) => AssertImportsNone(room, [.. Features.Where(f => f != room && !f.StartsWith(room + ".", StringComparison.Ordinal))]);

    [Fact]
    public void Deciders_refuse_in_the_records_terms_never_in_HTTPs()
    {
        var result = Types.InAssembly(Api).That().HaveNameEndingWith("Decider")
            .ShouldNot().HaveDependencyOnAny("OptOut.Http", "Microsoft.AspNetCore", "OptOut.Patients")
            .GetResult();
        Assert.True(result.IsSuccessful, "These deciders know HTTP or the write door: " + string.Join(", ", result.FailingTypeNames ?? []));
        Assert.True(Types.InAssembly(Api).That().HaveNameEndingWith("Decider").GetTypes().Count() >= 5, "the deciders are named *Decider");
    }

    /// <summary>Types exactly in <paramref name="room"/> (not its sub-namespaces, which are rooms of their own) depend on none of <paramref name="forbidden"/>.</summary>
    private static void AssertImportsNone(string room, string[] forbidden)
    {
        // A forbidden room that contains this one (OptOut.Audit for OptOut.Audit.Reports) is a prefix of its own names.
        var others = forbidden.Where(f => !room.StartsWith(f + ".", StringComparison.Ordinal)).ToArray();
        var result = Types.InAssembly(Api)
            .That().ResideInNamespaceMatching($"^{System.Text.RegularExpressions.Regex.Escape(room)}$")
            .ShouldNot().HaveDependencyOnAny(others)
            .GetResult();
        Assert.True(result.IsSuccessful, $"{room} imports what it may not: {string.Join(", ", result.FailingTypeNames ?? [])}");
    }

    private static Type Outermost(Type type) => type.DeclaringType is { } outer ? Outermost(outer) : type;
}
