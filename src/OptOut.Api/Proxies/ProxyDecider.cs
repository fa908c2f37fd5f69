using OptOut.Records;

namespace OptOut.Proxies;

public sealed record AuthoriseProxy(DecisionContext Context, string ProxyId, ProxyRole Role, string EvidenceReference, DateTimeOffset? ValidUntil, DateOnly? PatientBirthDate);

public sealed record RevokeProxy(DecisionContext Context, string ProxyId, string? Reason);

public static class ProxyDecider
{
    /// <summary>
    /// Parental responsibility lets a guardian decide only while the child is under 13, so a GUARDIAN's
    /// authority ends on the 13th birthday at the latest, and cannot start on or after it. A lasting power of attorney is
    /// made only by an adult, so given the patient's birth date none is authorised for a patient under 18.
    /// </summary>
    public static Decided Decide(PatientPreferences current, AuthoriseProxy command)
    {
        var c = command.Context;
        var validUntil = command.ValidUntil;
        if (command.Role == ProxyRole.Guardian)
        {
            if (RecordRules.GuardianRefusal(command.PatientBirthDate!.Value, c.Now) is { } tooOld)
            {
                return Decided.Refuse(RefusalKind.NotAllowedByTheRules, tooOld);
            }

            var thirteenth = RecordRules.SelfDecisionFrom(command.PatientBirthDate.Value);
            validUntil = validUntil is null || validUntil > thirteenth ? thirteenth : validUntil;
        }

        if (command.Role == ProxyRole.PowerOfAttorney && command.PatientBirthDate is { } born && RecordRules.AttorneyRefusal(born, c.Now) is { } tooYoung)
        {
            return Decided.Refuse(RefusalKind.NotAllowedByTheRules, tooYoung);
        }

        var active = current.Proxies.FirstOrDefault(p => p.ProxyId == command.ProxyId && p.IsActiveAt(c.Now));
        if (active is not null && active.Role == command.Role && active.EvidenceReference == command.EvidenceReference && active.ValidUntil == validUntil)
        {
            return new Decided([]);
        }

        return new Decided([new ProxyAuthorised(c.NhsNumber, c.DecisionId, c.DecidedBy, command.ProxyId, command.Role, command.EvidenceReference, validUntil, c.EffectiveAt, c.Now)]);
    }

    /// <summary>Revoking an authority that has already ended records nothing; one that never existed is not found.</summary>
    public static Decided Decide(PatientPreferences current, RevokeProxy command)
    {
        var c = command.Context;
        var authority = current.Proxies.FirstOrDefault(p => p.ProxyId == command.ProxyId);
        if (authority is null)
        {
            return Decided.Refuse(RefusalKind.NothingToChange, "No proxy with this id was ever authorised for this patient.");
        }

        return authority.IsActiveAt(c.Now)
            ? new Decided([new ProxyAuthorityRevoked(c.NhsNumber, c.DecisionId, c.DecidedBy, command.ProxyId, command.Reason, c.EffectiveAt, c.Now)])
            : new Decided([]);
    }
}
