using System.Security.Claims;
using OptOut.Http;
using OptOut.NhsNumbers;
using OptOut.Security;

namespace OptOut.Patients;

/// <summary>Turns the NHS number in a route into a domain value and checks the caller may reach that record.</summary>
public static class PatientAccess
{
    public static ProblemHttpResult? Resolve(string route, ClaimsPrincipal user, out NhsNumber nhsNumber)
    {
        if (!NhsNumber.TryParse(route, out nhsNumber, out var error))
        {
            return Problems.InvalidNhsNumber(error);
        }

        return Caller.From(user).MayAccess(nhsNumber) ? null : Problems.NotYourRecord();
    }
}
