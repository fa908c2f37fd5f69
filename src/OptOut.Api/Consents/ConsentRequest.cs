using System.Text.Json.Serialization;
using FluentValidation;
using OptOut.Records;

namespace OptOut.Consents;

[JsonConverter(typeof(JsonStringEnumConverter<ConsentDecision>))]
public enum ConsentDecision
{
    [JsonStringEnumMemberName("permit")] Permit,
    [JsonStringEnumMemberName("deny")] Deny,
}

/// <summary>The body of PUT /v1/patients/{nhsNumber}/consents/{purpose}.</summary>
/// <param name="Decision">permit or deny.</param>
/// <param name="Period">When the decision holds; open-ended when absent. OptOut records its end as ConsentExpired.</param>
/// <param name="NoticeVersion">The version of the notice or question the patient was shown.</param>
/// <param name="Channel">How the decision arrived; the NHS App when absent.</param>
public sealed record ConsentRequest(ConsentDecision? Decision, ConsentPeriod? Period, string? NoticeVersion, Channel? Channel)
{
    public sealed class Validator : AbstractValidator<ConsentRequest>
    {
        public Validator(TimeProvider clock)
        {
            RuleFor(r => r.Decision).NotNull().WithMessage("decision is required: permit or deny.");
            RuleFor(r => r.NoticeVersion).MaximumLength(Contracts.RecordingLimits.NoticeVersion);
            RuleFor(r => r.Channel).NotEqual(Records.Channel.Migrated).WithMessage("channel migrated is for imports only.");
            When(r => r.Period is not null, () =>
            {
                RuleFor(r => r.Period!.End)
                    .Must((r, end) => r.Period!.Start is null || end is null || r.Period.Start < end)
                    .WithMessage("period.end must be after period.start.")
                    .Must(end => end is null || end > clock.GetUtcNow())
                    .WithMessage("period.end is already past: a consent must hold for some time from now.");
                // A start already past would be published as consent given back then, which downstream systems could
                // apply to data used before the patient gave it; the few minutes allow for the client's clock.
                RuleFor(r => r.Period!.Start)
                    .Must(start => start is null || start >= clock.GetUtcNow().AddMinutes(-5))
                    .WithMessage("period.start is already past: a consent holds from when it is given, so leave start out to begin now.");
            });
        }
    }
}
