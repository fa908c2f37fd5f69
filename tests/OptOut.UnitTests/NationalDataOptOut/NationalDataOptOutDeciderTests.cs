using OptOut.Records;
using OptOut.NationalDataOptOut;
using OptOut.NhsNumbers;

namespace OptOut.UnitTests.NationalDataOptOut;

public class NationalDataOptOutDeciderTests
{
    private static readonly NhsNumber Patient = NhsNumber.Parse("9434765919");
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);
    private static readonly DecisionMaker Self = new("patient-1", "patient", null, null, null);
    private static readonly Guid Decision = Guid.CreateVersion7();

    [Fact]
    public void A_patient_who_never_chose_opts_out()
    {
        var events = Given().When(Change(optedOut: true));

        var set = Assert.IsType<NationalDataOptOutSet>(Assert.Single(events));
        Assert.Equal(new NationalDataOptOutSet(Patient, Decision, Self, Channel.Online, "v3", Now, Now), set);
    }

    [Fact]
    public void Setting_an_opt_out_that_is_already_set_records_nothing()
    {
        Assert.Empty(Given(Set()).When(Change(optedOut: true)));
    }

    [Fact]
    public void Withdrawing_when_not_opted_out_records_nothing()
    {
        Assert.Empty(Given().When(Change(optedOut: false)));
        Assert.Empty(Given(Set(), Withdrawn()).When(Change(optedOut: false)));
    }

    [Fact]
    public void An_opted_out_patient_withdraws()
    {
        var events = Given(Set()).When(Change(optedOut: false));

        Assert.IsType<NationalDataOptOutWithdrawn>(Assert.Single(events));
    }

    [Fact]
    public void A_proxys_decision_keeps_their_role_and_evidence_and_the_paper_forms_signing_date()
    {
        var guardian = new DecisionMaker("agent-7", "admin", ProxyRole.Guardian, "PR-2231", "CASE-99");
        var signed = Now.AddDays(-9);

        var command = Change(optedOut: true);
        var events = Given().When(command with { Context = command.Context with { DecidedBy = guardian, EffectiveAt = signed }, Channel = Channel.Paper });

        var set = Assert.IsType<NationalDataOptOutSet>(Assert.Single(events));
        Assert.Equal(guardian, set.DecidedBy);
        Assert.Equal(signed, set.EffectiveAt);
        Assert.Equal(Now, set.RecordedAt);
    }

    [Theory]
    // Born 25 June 2013: 13 from the UK's midnight starting 25 June 2026, which is 23:00 UTC on 24 June (BST).
    [InlineData(null, "2026-06-24T22:59:59Z", "under 13")]
    [InlineData(null, "2026-06-24T23:00:00Z", null)]
    [InlineData(ProxyRole.Guardian, "2026-06-24T22:59:59Z", null)]
    [InlineData(ProxyRole.Guardian, "2026-06-24T23:00:00Z", "13 or older")]
    // Only an adult can make a lasting power of attorney: 18 from 23:00 UTC on 24 June 2031. A deputy has no age rule.
    [InlineData(ProxyRole.PowerOfAttorney, "2026-06-24T22:59:59Z", "under 18")]
    [InlineData(ProxyRole.PowerOfAttorney, "2031-06-24T22:59:59Z", "under 18")]
    [InlineData(ProxyRole.PowerOfAttorney, "2031-06-24T23:00:00Z", null)]
    [InlineData(ProxyRole.CourtDeputy, "2026-06-24T23:00:00Z", null)]
    public void Staff_given_the_patients_birth_date_record_only_who_could_decide_at_that_age(ProxyRole? role, string effectiveAt, string? refusal)
    {
        var by = new DecisionMaker("agent-7", "admin", role, role is null ? null : "EVIDENCE-1", null);
        var command = Change(optedOut: true);
        command = command with
        {
            Context = command.Context with { DecidedBy = by, EffectiveAt = DateTimeOffset.Parse(effectiveAt, System.Globalization.CultureInfo.InvariantCulture) },
            Channel = Channel.Paper,
            PatientBorn = new DateOnly(2013, 6, 25),
        };

        var decided = NationalDataOptOutDecider.Decide(Given().State, command);

        if (refusal is null)
        {
            Assert.Null(decided.Refused);
            Assert.Single(decided.Events);
        }
        else
        {
            Assert.Equal(RefusalKind.NotAllowedByTheRules, decided.Refused?.Kind);
            Assert.Contains(refusal, decided.Refused!.Detail, StringComparison.Ordinal);
            Assert.Empty(decided.Events);
        }
    }

    private static ChangeNationalDataOptOut Change(bool optedOut) =>
        new(new DecisionContext(Patient, Self, Decision, Now, Now), optedOut, Channel.Online, "v3");

    private static NationalDataOptOutSet Set() => new(Patient, Guid.CreateVersion7(), Self, Channel.Online, "v3", Now.AddDays(-30), Now.AddDays(-30));

    private static NationalDataOptOutWithdrawn Withdrawn() => new(Patient, Guid.CreateVersion7(), Self, Channel.Online, "v3", Now.AddDays(-3), Now.AddDays(-3));

    private static Scenario Given(params object[] history) => new(PatientPreferences.Empty(Patient.Value).After(history));

    private sealed record Scenario(PatientPreferences State)
    {
        public object[] When(ChangeNationalDataOptOut command) => NationalDataOptOutDecider.Decide(State, command).Events;
    }
}
