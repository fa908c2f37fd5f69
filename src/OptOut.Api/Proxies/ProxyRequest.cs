using FluentValidation;
using OptOut.Records;

namespace OptOut.Proxies;

/// <summary>The body of POST /v1/patients/{nhsNumber}/proxies.</summary>
/// <param name="ProxyId">The proxy's identity: the subject of their proxy token.</param>
/// <param name="Role">guardian, power-of-attorney or court-deputy.</param>
/// <param name="EvidenceReference">The reference of the evidence staff checked (order, LPA registration, birth certificate).</param>
/// <param name="ValidUntil">When the authority ends, if it ends.</param>
/// <param name="PatientBirthDate">Required for a guardian: the child's birth date, since the authority ends at 13. Given for
/// an attorney, a patient under 18 is refused: only an adult can make a lasting power of attorney.</param>
public sealed record ProxyRequest(string? ProxyId, ProxyRole? Role, string? EvidenceReference, DateTimeOffset? ValidUntil, DateOnly? PatientBirthDate)
{
    public sealed class Validator : AbstractValidator<ProxyRequest>
    {
        public Validator(TimeProvider clock)
        {
            const string proxyId = "proxyId is required: 1-128 letters, digits or . _ : @ -.";
            RuleFor(r => r.ProxyId).NotEmpty().WithMessage(proxyId).MaximumLength(128).Matches("^[A-Za-z0-9._:@-]+$").WithMessage(proxyId);
            RuleFor(r => r.Role).NotNull().WithMessage("role is required: guardian, power-of-attorney or court-deputy.");
            var evidence = $"evidenceReference is required (1-{Contracts.RecordingLimits.EvidenceReference} characters).";
            RuleFor(r => r.EvidenceReference).NotEmpty().WithMessage(evidence).MaximumLength(Contracts.RecordingLimits.EvidenceReference).WithMessage(evidence);
            RuleFor(r => r.ValidUntil).Must(v => v is null || v > clock.GetUtcNow()).WithMessage("validUntil is already past.");
            RuleFor(r => r.PatientBirthDate).NotNull().When(r => r.Role == ProxyRole.Guardian)
                .WithMessage("patientBirthDate is required for a guardian: parental responsibility ends at 13.");
            RuleFor(r => r.PatientBirthDate).Must(d => d is null || d <= Contracts.UkCalendar.DayOf(clock.GetUtcNow()))
                .WithMessage("patientBirthDate cannot be in the future.");
        }
    }
}
