namespace OptOut.Records;

/// <summary>
/// Who made a decision: the consenting party is the patient (no proxy role) or a proxy (a role and the
/// evidence of their authority), never both and never neither. The actor is the authenticated caller
/// who recorded it, for example a call-centre agent, with any case reference they keep.
/// </summary>
/// <param name="IdentityCheck">
/// How the person deciding was identified, which belongs with the decision (domain: "the identity check used"): a
/// sign-in's proofing level (<c>sign-in-p9</c>, from NHS login's identity_proofing_level), <c>contact-centre</c> for staff
/// who took the choice by phone or post under their own procedure (the case reference names the case), or
/// <c>gp-practice</c> for a GP system. Null for OptOut itself, for imports, and for decisions recorded before it was kept.
/// </param>
public sealed record DecisionMaker(
    string ActorId,
    string ActorRole,
    ProxyRole? ProxyRole,
    string? EvidenceReference,
    string? CaseReference,
    string? IdentityCheck = null)
{
    /// <summary>OptOut itself, for what follows from time passing, such as a consent's period ending.</summary>
    public static readonly DecisionMaker System = new("optout", "system", null, null, null);

    public bool IsProxy => ProxyRole is not null;
}
