using FluentValidation;
using OptOut.Records;

namespace OptOut.NationalDataOptOut;

/// <summary>The body of PUT /v1/patients/{nhsNumber}/national-data-opt-out.</summary>
/// <param name="OptedOut">true sets the opt-out, false withdraws it.</param>
/// <param name="Channel">online, nhs-app or nhs-form from a patient or proxy; call-centre or paper from staff.</param>
/// <param name="NoticeVersion">The version of the notice the patient was shown when they chose.</param>
/// <param name="EffectiveAt">When the choice takes effect, if earlier than now (a paper form: when it was signed). Staff only.</param>
/// <param name="OnBehalfOf">The proxy who decided for the patient, if not the patient.</param>
/// <param name="CaseReference">A contact-centre case reference, kept with the decision. Staff only.</param>
/// <param name="PatientBirthDate">
/// The patient's date of birth as staff confirmed it with the caller or read it on the form: required from staff, since
/// a patient decides for themselves from 13 and a parent only until then. Checked, not stored. A patient or proxy
/// signed in sends none: their sign-in or their authority carries it.
/// </param>
public sealed record NationalDataOptOutRequest(
    bool? OptedOut,
    Channel? Channel,
    string? NoticeVersion,
    DateTimeOffset? EffectiveAt,
    OnBehalfOf? OnBehalfOf,
    string? CaseReference,
    DateOnly? PatientBirthDate = null)
{
    public sealed class Validator : AbstractValidator<NationalDataOptOutRequest>
    {
        public Validator(TimeProvider clock)
        {
            RuleFor(r => r.OptedOut).NotNull().WithMessage("optedOut is required: true to opt out, false to withdraw the opt-out.");
            RuleFor(r => r.Channel)
                .NotNull().WithMessage("channel is required: online, nhs-app, nhs-form, call-centre or paper.")
                .NotEqual(Records.Channel.Migrated).WithMessage("channel migrated is for imports only.");
            RuleFor(r => r.NoticeVersion).MaximumLength(Contracts.RecordingLimits.NoticeVersion);
            RuleFor(r => r.CaseReference).MaximumLength(Contracts.RecordingLimits.CaseReference);
            RuleFor(r => r.EffectiveAt)
                .Must(at => at is null || at <= clock.GetUtcNow().AddMinutes(5))
                .WithMessage("effectiveAt cannot be in the future: record a choice when it is made.")
                .Must(at => at is null || at >= RecordRules.ServiceStart)
                .WithMessage("effectiveAt cannot be before 25 May 2018, when the national data opt-out began.");
            // A year mistyped (0198 for 1980) would pass every age rule; nobody alive was born 150 years ago.
            RuleFor(r => r.PatientBirthDate)
                .Must(d => d is null || d <= Contracts.UkCalendar.DayOf(clock.GetUtcNow()))
                .WithMessage("patientBirthDate cannot be in the future.")
                .Must(d => d is null || d > Contracts.UkCalendar.DayOf(clock.GetUtcNow()).AddYears(-RecordRules.OldestAge))
                .WithMessage($"patientBirthDate is more than {RecordRules.OldestAge} years ago: check the year.");
            RuleFor(r => r.OnBehalfOf!).SetValidator(new OnBehalfOf.Validator()).When(r => r.OnBehalfOf is not null);
        }
    }
}

/// <summary>A proxy deciding for the patient: their role and the reference of the evidence of their authority.</summary>
public sealed record OnBehalfOf(ProxyRole? Role, string? EvidenceReference)
{
    public sealed class Validator : AbstractValidator<OnBehalfOf>
    {
        public Validator()
        {
            RuleFor(p => p.Role).NotNull().WithMessage("onBehalfOf.role is required: guardian, power-of-attorney or court-deputy.");
            var evidence = $"onBehalfOf.evidenceReference is required (1-{Contracts.RecordingLimits.EvidenceReference} characters): the reference of the evidence of the proxy's authority.";
            RuleFor(p => p.EvidenceReference).NotEmpty().WithMessage(evidence).MaximumLength(Contracts.RecordingLimits.EvidenceReference).WithMessage(evidence);
        }
    }
}
