using OptOut.Http;
using OptOut.Records;
using OptOut.Security;

namespace OptOut.Patients;

/// <summary>
/// What a patient or proxy may say about a decision they make themselves, signed in. Only staff receive a
/// decision by phone or post, so only staff may record the call-centre or paper channel, a case reference,
/// a date before today on which a signed form took effect, a proxy named in the body, or the date of birth they
/// confirmed (signed in, the patient's age comes from their sign-in, a proxy's from the authority staff recorded). Without this a
/// patient's own token could publish a decision as a contact-centre one, with a made-up case, backdated.
/// </summary>
public static class SelfService
{
    public static bool IsSelfService(this Channel channel) => channel is Channel.Online or Channel.NhsApp or Channel.NhsForm;

    /// <summary>Null when the caller may record the decision as described; otherwise the 403 that says why not.</summary>
    public static ProblemHttpResult? Check(Caller caller, Channel channel, bool onBehalfOf = false, string? caseReference = null, DateTimeOffset? effectiveAt = null, DateOnly? patientBirthDate = null)
    {
        if (caller.Role == Roles.Admin)
        {
            return null;
        }

        if (!channel.IsSelfService())
        {
            return Problems.Refused($"channel {channel.WireName()} is recorded by staff who received the decision; a patient or proxy signed in uses online, nhs-app or nhs-form.");
        }

        if (onBehalfOf)
        {
            return Problems.Refused("Only staff record a decision on behalf of a patient; a proxy's own token already carries their authority.");
        }

        if (caseReference is not null)
        {
            return Problems.Refused("caseReference is a contact-centre case, recorded by staff; a patient or proxy signed in sends none.");
        }

        if (patientBirthDate is not null)
        {
            return Problems.Refused("patientBirthDate is the date of birth staff confirmed; signed in, the patient's age comes from their NHS login, a proxy's from their recorded authority.");
        }

        return effectiveAt is null
            ? null
            : Problems.Refused("effectiveAt dates a signed form that staff received; a decision made signed in takes effect when it is recorded.");
    }
}
