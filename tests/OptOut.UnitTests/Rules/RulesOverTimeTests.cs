using Microsoft.Extensions.Time.Testing;
using OptOut.Consents;
using OptOut.Records;
using OptOut.Proxies;
using OptOut.NhsNumbers;

namespace OptOut.UnitTests.Rules;

/// <summary>The pure rules as time passes: Given events, When the clock moves, Then the answer changes when it should.</summary>
public class RulesOverTimeTests
{
    private static readonly NhsNumber Patient = NhsNumber.Parse("9434765919");
    private static readonly DecisionMaker Self = new("patient-1", "patient", null, null, null);
    private static readonly DecisionMaker Staff = new("staff-1", "admin", null, null, null);

    private static readonly DecisionQuestion ResearchOnGpData = new(
        "research", new PurposeDefinition { BeyondIndividualCare = true },
        "gp", new DataSourceDefinition { GpRecord = true }, null, null);

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero));

    private DateTimeOffset Now => _clock.GetUtcNow();

    [Fact]
    public void A_consent_expires_when_its_period_ends_and_not_before()
    {
        var end = Now.AddDays(30);
        var state = Given(new ConsentGranted(Patient, Guid.CreateVersion7(), Self, "research", new ConsentPeriod(Now, end), Channel.Online, "v1", Now, Now));

        _clock.Advance(TimeSpan.FromDays(29));
        Assert.Empty(ConsentDecider.Expire(state, Now, Guid.CreateVersion7));

        _clock.Advance(TimeSpan.FromDays(2));
        var expired = Assert.IsType<ConsentExpired>(Assert.Single(ConsentDecider.Expire(state, Now, Guid.CreateVersion7)));
        Assert.Equal((end, Now, DecisionMaker.System), (expired.EffectiveAt, expired.RecordedAt, expired.DecidedBy));
    }

    [Fact]
    public void Explicit_consent_overrides_an_opt_out_only_while_it_is_in_force()
    {
        var state = Given(
            new NationalDataOptOutSet(Patient, Guid.CreateVersion7(), Self, Channel.Online, "v1", Now, Now),
            new ConsentGranted(Patient, Guid.CreateVersion7(), Self, "research", new ConsentPeriod(Now, Now.AddDays(7)), Channel.Online, "v1", Now, Now));

        Assert.Equal("permit", DecisionRules.Verdict(DecisionRules.Weigh(state, ResearchOnGpData, Now)));

        _clock.Advance(TimeSpan.FromDays(8));
        var outcomes = DecisionRules.Weigh(state, ResearchOnGpData, Now);
        Assert.Equal("deny", DecisionRules.Verdict(outcomes));
        Assert.Contains(outcomes, o => o.Rule == DecisionRules.NationalDataOptOut && o.Outcome == "deny");
    }

    [Fact]
    public void A_guardians_authority_ends_on_the_childs_13th_birthday()
    {
        // A summer birthday: the 13th begins at midnight BST, 23:00 UTC the day before.
        var born = new DateOnly(2014, 7, 15);
        var decided = ProxyDecider.Decide(Given(), new AuthoriseProxy(Context(Staff), "parent-1", ProxyRole.Guardian, "BC-1", null, born));
        var state = Given([.. decided.Events]);
        var authority = Assert.Single(state.Proxies);

        Assert.True(authority.IsActiveAt(Now));
        _clock.SetUtcNow(new DateTimeOffset(2027, 7, 14, 23, 0, 0, TimeSpan.Zero).AddTicks(-1));
        Assert.True(authority.IsActiveAt(Now));
        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.False(authority.IsActiveAt(Now));

        // And once the child is 13, no guardian can be authorised at all.
        Assert.NotNull(ProxyDecider.Decide(Given(), new AuthoriseProxy(Context(Staff), "parent-2", ProxyRole.Guardian, "BC-2", null, born)).Refused);
    }

    [Fact]
    public void A_type_1_opt_out_applies_to_gp_data_beyond_own_care_and_the_national_one_to_any_source()
    {
        var hospital = ResearchOnGpData with { DataSource = "hospital", DataSourceDefinition = new DataSourceDefinition { GpRecord = false } };
        var directCare = ResearchOnGpData with { Purpose = "direct-care", PurposeDefinition = new PurposeDefinition { BeyondIndividualCare = false } };

        Assert.True(DecisionRules.Type1OptOutApplies(ResearchOnGpData));
        Assert.False(DecisionRules.Type1OptOutApplies(hospital));
        Assert.False(DecisionRules.Type1OptOutApplies(directCare));
        Assert.True(DecisionRules.NationalOptOutApplies(hospital));
        Assert.False(DecisionRules.NationalOptOutApplies(directCare));
    }

    private DecisionContext Context(DecisionMaker by) => new(Patient, by, Guid.CreateVersion7(), Now, Now);

    private static PatientPreferences Given(params object[] history) => PatientPreferences.Empty(Patient.Value).After(history);
}
