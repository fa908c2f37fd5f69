using JasperFx.Events;
using Microsoft.Extensions.Time.Testing;
using OptOut.Patients;
using OptOut.Records;
using OptOut.NhsNumbers;

namespace OptOut.UnitTests.Rules;

/// <summary>Answers as of a past instant, and what a merge keeps: Given events at times a fake clock sets.</summary>
public class TimelineAndMergeTests
{
    private static readonly NhsNumber Patient = NhsNumber.Parse("9434765919");
    private static readonly DecisionMaker Self = new("patient-1", "patient", null, null, null);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public void A_paper_form_recorded_late_changes_what_was_in_force_but_not_what_was_known_then()
    {
        var t1 = Now();
        var set = Record(new NationalDataOptOutSet(Patient, Guid.CreateVersion7(), Self, Channel.Online, null, t1, t1));
        var t2 = Advance(TimeSpan.FromDays(10));
        var withdrawn = Record(new NationalDataOptOutWithdrawn(Patient, Guid.CreateVersion7(), Self, Channel.Online, null, t2, t2));
        var t3 = Advance(TimeSpan.FromDays(10));
        // Signed on day 15, posted, recorded on day 20: it was in force from day 15, but nobody knew until day 20.
        var paper = Record(new NationalDataOptOutSet(Patient, Guid.CreateVersion7(), Self, Channel.Paper, null, t2.AddDays(5), t3));
        var timeline = PatientTimeline.Of(Patient.Value, [set, withdrawn, paper]);

        Assert.True(timeline.StateAt(knownAt: t2.AddDays(1), inForceAt: t1.AddDays(1)).NationalDataOptOut.OptedOut);
        Assert.False(timeline.StateAt(knownAt: t2.AddDays(6), inForceAt: t2.AddDays(6)).NationalDataOptOut.OptedOut);
        Assert.True(timeline.StateAt(knownAt: t3, inForceAt: t2.AddDays(6)).NationalDataOptOut.OptedOut);
    }

    [Fact]
    public void A_merge_keeps_the_later_recorded_choice_of_each_kind_and_every_proxy()
    {
        var early = Now();
        var survivor = PatientPreferences.Empty("4010232137").After(
        [
            new NationalDataOptOutSet(NhsNumber.Parse("4010232137"), Guid.CreateVersion7(), Self, Channel.Online, null, early, early),
            new ProxyAuthorised(NhsNumber.Parse("4010232137"), Guid.CreateVersion7(), Self, "attorney-1", ProxyRole.PowerOfAttorney, "LPA-1", null, early, early),
        ]);
        var later = Advance(TimeSpan.FromDays(3));
        var superseded = PatientPreferences.Empty(Patient.Value).After(
        [
            new NationalDataOptOutWithdrawn(Patient, Guid.CreateVersion7(), Self, Channel.Online, null, later, later),
            new ConsentGranted(Patient, Guid.CreateVersion7(), Self, "research", null, Channel.Online, null, later, later),
            new ProxyAuthorised(Patient, Guid.CreateVersion7(), Self, "deputy-1", ProxyRole.CourtDeputy, "COP-1", null, later, later),
        ]);

        var merged = PatientMerge.Merge(survivor, superseded);

        Assert.False(merged.NationalDataOptOut.OptedOut);
        Assert.Equal(ConsentStatus.Permit, merged.Consents["research"].Status);
        Assert.Equal(["attorney-1", "deputy-1"], merged.Proxies.Select(p => p.ProxyId));
        Assert.Equal([Patient.Value], merged.Supersedes);
        Assert.Equal("4010232137", merged.Id);
    }

    private long _sequence;

    private DateTimeOffset Now() => _clock.GetUtcNow();

    private DateTimeOffset Advance(TimeSpan by)
    {
        _clock.Advance(by);
        return Now();
    }

    private Event<T> Record<T>(T data)
        where T : notnull => new(data) { Sequence = ++_sequence, Id = Guid.CreateVersion7() };
}
