using System.Globalization;
using OptOut.Contracts;

namespace OptOut.Web.Pages.Staff.Record;

/// <summary>A paper form or a phone call, as the agent enters it; checked field by field in the API's own terms.</summary>
public sealed class RecordingForm
{
    public string? NhsNumber { get; set; }

    public string? Choice { get; set; }

    public string? Channel { get; set; }

    public string? Day { get; set; }

    public string? Month { get; set; }

    public string? Year { get; set; }

    public string? CaseReference { get; set; }

    public string? DecidedBy { get; set; }

    public string? ProxyRole { get; set; }

    public string? Evidence { get; set; }

    public string? BornDay { get; set; }

    public string? BornMonth { get; set; }

    public string? BornYear { get; set; }

    /// <summary>Every field in error, keyed by the id of the input the error summary links to.</summary>
    public Dictionary<string, string> Check(DateOnly today, out StaffRecording? recording)
    {
        var errors = new Dictionary<string, string>();
        recording = null;
        if (!NhsNumbers.NhsNumber.TryParse(NhsNumber?.Trim(), out var number, out var problem))
        {
            errors["nhs-number"] = Words.NhsNumberProblem(NhsNumber, problem);
        }

        // The API decides from it who could make the choice: the patient from 13, a parent only until then.
        var born = DateInput.Read(BornDay, BornMonth, BornYear, "patient's date of birth", "15 3 1984", out var bornError);
        if (bornError is not null)
        {
            errors["patient-born-day"] = bornError;
        }
        else if (born is null)
        {
            errors["patient-born-day"] = "Enter the patient's date of birth";
        }
        else if (born > today)
        {
            errors["patient-born-day"] = "The patient's date of birth must be today or in the past";
        }

        if (Choice is not ("opt-out" or "allow"))
        {
            errors["choice-opt-out"] = "Select the patient's choice";
        }

        if (Channel is not ("paper" or "call-centre"))
        {
            errors["channel-paper"] = "Select how the choice reached us";
        }

        var signed = DateInput.Read(Day, Month, Year, "date the form was signed", "3 11 2026", out var dateError);
        if (dateError is not null)
        {
            errors["signed-day"] = dateError;
        }
        else if (signed > today || signed < RecordingLimits.ServiceStart)
        {
            errors["signed-day"] = $"The date the form was signed must be between {RecordingLimits.ServiceStart.ToString("d MMMM yyyy", CultureInfo.InvariantCulture)} and today";
        }

        if (DecidedBy is not ("patient" or "proxy"))
        {
            errors["decided-by-patient"] = "Select who made the choice";
        }
        else if (DecidedBy == "proxy")
        {
            if (ProxyRole is not ("guardian" or "power-of-attorney" or "court-deputy"))
            {
                errors["proxy-role-guardian"] = "Select the capacity the person acted in";
            }

            if (string.IsNullOrWhiteSpace(Evidence) || Evidence.Length > RecordingLimits.EvidenceReference)
            {
                errors["evidence"] = $"Enter the reference of the evidence of their authority (up to {RecordingLimits.EvidenceReference} characters)";
            }
        }

        if (CaseReference is { Length: > RecordingLimits.CaseReference })
        {
            errors["case-reference"] = $"A case reference is up to {RecordingLimits.CaseReference} characters";
        }

        if (errors.Count == 0)
        {
            recording = new StaffRecording(number.Value, Choice == "opt-out", Channel!,
                signed is { } day ? Contracts.UkCalendar.StartOf(day) : null,
                string.IsNullOrWhiteSpace(CaseReference) ? null : CaseReference.Trim(),
                DecidedBy == "proxy" ? ProxyRole : null, DecidedBy == "proxy" ? Evidence!.Trim() : null, born!.Value);
        }

        return errors;
    }

    public static string Describe(StaffRecording r) => r.OptedOut
        ? "Does not allow their confidential patient information to be used for research and planning"
        : "Allows their confidential patient information to be used for research and planning";

    public static string SignedOn(DateTimeOffset? at) => at is { } value ? Dates.Day(value) : "Not given (today)";
}
