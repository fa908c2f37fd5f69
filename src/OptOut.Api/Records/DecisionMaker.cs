namespace OptOut.Records;

/// <summary>
/// Who made a decision: the consenting party is the patient (no proxy role) or a proxy (a role and the
/// evidence of their authority), never both and never neither. The actor is the authenticated caller
/// who recorded it, for example a call-centre agent, with any case reference they keep.
/// </summary>
public sealed record DecisionMaker(
    string ActorId,
    string ActorRole,
    ProxyRole? ProxyRole,
    string? EvidenceReference,
    string? CaseReference)
{
    /// <summary>OptOut itself, for what follows from time passing, such as a consent's period ending.</summary>
    public static readonly DecisionMaker System = new("optout", "system", null, null, null);

    public bool IsProxy => ProxyRole is not null;
}
