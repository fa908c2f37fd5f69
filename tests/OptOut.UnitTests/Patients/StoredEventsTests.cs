using System.Reflection;
using OptOut.Records;

namespace OptOut.UnitTests.Patients;

/// <summary>A new event type is caught here unless the catalogue, the aggregate and the publisher all handle it.</summary>
public class StoredEventsTests
{
    private static readonly Type[] PatientEventTypes = [.. typeof(PatientPreferences).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IPatientEvent).IsAssignableFrom(t))];

    [Fact]
    public void Every_event_on_a_patients_stream_is_in_the_catalogue()
    {
        Assert.NotEmpty(PatientEventTypes);
        Assert.Empty(PatientEventTypes.Except(StoredEvents.All.Select(e => e.Type)));
    }

    [Fact]
    public void The_aggregate_applies_every_catalogued_event()
    {
        var applied = typeof(PatientPreferences).GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m.Name == "Apply" && m.GetParameters().Length == 1)
            .Select(m => m.GetParameters()[0].ParameterType);

        Assert.Empty(StoredEvents.All.Select(e => e.Type).Except(applied));
    }

    [Fact]
    public void Applying_has_a_case_for_every_catalogued_event()
    {
        // The write path's answer, the timeline and the statistics fold events through Applying, not through Marten's
        // Apply methods: a type the switch misses fails there with ArgumentException, whatever the event holds.
        foreach (var stored in StoredEvents.All)
        {
            var e = System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(stored.Type);
            var thrown = Record.Exception(() => PatientPreferences.Empty("9434765919").Applying(e));
            Assert.False(thrown is ArgumentException { ParamName: "e" }, $"Applying has no case for {stored.Type.Name}");
        }
    }

    [Fact]
    public void Every_catalogued_event_is_published_or_says_why_not()
    {
        Assert.All(StoredEvents.All, e => Assert.True(e.Message is not null ^ e.NotPublishedBecause is not null, e.Name));
    }

    [Fact]
    public void Stored_names_are_unique_and_stable_snake_case()
    {
        Assert.Equal(StoredEvents.All.Count, StoredEvents.All.Select(e => e.Name).Distinct().Count());
        Assert.All(StoredEvents.All, e => Assert.Matches("^[a-z0-9]+(_[a-z0-9]+)*$", e.Name));
    }

    [Fact]
    public void The_index_follows_exactly_the_opt_out_supersession_and_consent_refusal_events()
    {
        Assert.Equal(
            ["consent_refused", "national_data_opt_out_set", "national_data_opt_out_withdrawn", "nhs_number_superseded", "superseded_record_merged", "type1_opt_out_recorded", "type1_opt_out_withdrawn"],
            StoredEvents.IndexedNames.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_publisher_passes_over_events_that_are_not_OptOuts_own()
    {
        // Marten's tombstones (after a failed append) reach the subscription too: a throw there would stop publishing.
        Assert.Null(OptOut.Records.ChangeMessages.ToMessage(new JasperFx.Events.Event<Uri>(new Uri("urn:tombstone"))));
    }

    [Fact]
    public void The_catalogue_keeps_imported_opt_outs_off_the_broker_but_in_the_feed()
    {
        static JasperFx.Events.Event<NationalDataOptOutSet> Set(Channel channel) => new(new NationalDataOptOutSet(
            OptOut.NhsNumbers.NhsNumber.Parse("9434765919"), Guid.CreateVersion7(), new DecisionMaker("importer", "system", null, null, null),
            channel, null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow));

        Assert.Null(ChangeMessages.ToPublished(Set(Channel.Migrated)));
        Assert.NotNull(ChangeMessages.ToMessage(Set(Channel.Migrated)));
        Assert.NotNull(ChangeMessages.ToPublished(Set(Channel.Online)));
    }
}
