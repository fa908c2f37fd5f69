using FluentValidation;
using Microsoft.Extensions.Options;

namespace OptOut.Type1OptOut;

/// <summary>The body of PUT /v1/patients/{nhsNumber}/type-1-opt-out.</summary>
/// <param name="Dissent">true records the dissent, false its withdrawal.</param>
/// <param name="PracticeOdsCode">The recording practice's ODS code; it must be the one in the practice's token.</param>
/// <param name="Code">The clinical code entered in the GP record (a dissent code, or a withdrawal code).</param>
/// <param name="EffectiveAt">When the patient expressed it, if earlier than now.</param>
public sealed record Type1OptOutRequest(bool? Dissent, string? PracticeOdsCode, string? Code, DateTimeOffset? EffectiveAt)
{
    public sealed class Validator : AbstractValidator<Type1OptOutRequest>
    {
        public Validator(IOptions<Type1Codes> codes, TimeProvider clock)
        {
            RuleFor(r => r.Dissent).NotNull().WithMessage("dissent is required: true records the Type 1 opt-out, false its withdrawal.");
            const string ods = "practiceOdsCode is required: the practice's ODS code, 3 to 8 capital letters and digits.";
            RuleFor(r => r.PracticeOdsCode).NotEmpty().WithMessage(ods).Matches("^[A-Z0-9]{3,8}$").WithMessage(ods);
            RuleFor(r => r.Code).NotEmpty()
                .Must((r, code) => (r.Dissent == true ? codes.Value.Dissent : codes.Value.Withdrawal).Contains(code!))
                .When(r => r.Dissent is not null)
                .WithMessage(r => r.Dissent == true
                    ? $"code must be a Type 1 dissent code: {string.Join(", ", codes.Value.Dissent)}."
                    : $"code must be a Type 1 withdrawal code: {string.Join(", ", codes.Value.Withdrawal)}.");
            RuleFor(r => r.EffectiveAt).Must(at => at is null || at <= clock.GetUtcNow().AddMinutes(5))
                .WithMessage("effectiveAt cannot be in the future.");
        }
    }
}
