using OptOut.Records;
using OptOut.Http;
using OptOut.Security;
using OptOut.NhsNumbers;

namespace OptOut.Patients;

/// <summary>
/// Object-level authorization for one patient's record, once the record is loaded: a patient reaches
/// only their own (under any of its numbers) and only from age 13; a proxy only a patient they are
/// authorised for now. Which roles may call an endpoint at all is said on the endpoint.
/// </summary>
public static class PatientAccess
{
    public static ProblemHttpResult? ParseNhsNumber(string route, out NhsNumber nhsNumber) =>
        NhsNumber.TryParse(route, out nhsNumber, out var error) ? null : Problems.BadNhsNumber(error);

    public static ProblemHttpResult? Check(Caller caller, PatientPreferences record, DateTimeOffset now)
    {
        if (caller.IsPatient)
        {
            if (caller.NhsNumber is null || (caller.NhsNumber != record.Id && !record.Supersedes.Contains(caller.NhsNumber)))
            {
                return Problems.NotYourRecord();
            }

            if (caller.BirthDate is null)
            {
                return Problems.Refused("A patient token must carry the patient's birth date (birthdate claim).");
            }

            if (caller.IsUnder13At(now))
            {
                return Problems.Refused("A patient under 13 cannot make these choices; a person with parental responsibility decides for them.");
            }
        }

        if (caller.IsProxy && ActiveAuthority(caller, record, now) is null)
        {
            return Problems.Refused("This proxy is not currently authorised to act for this patient.");
        }

        return null;
    }

    public static ProxyAuthority? ActiveAuthority(Caller caller, PatientPreferences record, DateTimeOffset now) =>
        record.Proxies.FirstOrDefault(p => p.ProxyId == caller.Subject && p.IsActiveAt(now));

    /// <summary>
    /// Who the decision is recorded as made by. A proxy acts in the role staff authorised; staff may record a
    /// proxy's decision received by phone or post; a patient decides for themselves only.
    /// </summary>
    public static DecisionMaker DecisionMakerFor(Caller caller, PatientPreferences record, DateTimeOffset now, ProxyRole? onBehalfOf, string? evidence, string? caseReference)
    {
        if (caller.IsProxy && ActiveAuthority(caller, record, now) is { } authority)
        {
            return new DecisionMaker(caller.Subject, caller.Role, authority.Role, authority.EvidenceReference, caseReference, IdentityCheckOf(caller));
        }

        return new DecisionMaker(caller.Subject, caller.Role, onBehalfOf, evidence, caseReference, IdentityCheckOf(caller));
    }

    /// <summary>Who records a change, and how the person deciding was identified (<see cref="DecisionMaker.IdentityCheck"/>).</summary>
    public static DecisionMaker RecordedBy(Caller caller) => new(caller.Subject, caller.Role, null, null, null, IdentityCheckOf(caller));

    /// <summary>A person signed in says their proofing level; staff and GP systems vouch by their own procedures.</summary>
    private static string? IdentityCheckOf(Caller caller) => caller.Role switch
    {
        Roles.Patient or Roles.Proxy => "sign-in-p" + IdentityAssurance.Level(caller.ProofingLevel).ToString(System.Globalization.CultureInfo.InvariantCulture),
        Roles.Admin => "contact-centre",
        Roles.Practice => "gp-practice",
        _ => null,
    };
}
