namespace OptOut.Contracts;

/// <summary>
/// The limits the API applies to a recorded choice, shared with its clients so the staff pages say them before a form is
/// sent: one number each, here, for the API's validators and the pages alike.
/// </summary>
public static class RecordingLimits
{
    /// <summary>The national data opt-out began on 25 May 2018: no choice takes effect before it.</summary>
    public static readonly DateOnly ServiceStart = new(2018, 5, 25);

    /// <summary>A contact centre's case reference.</summary>
    public const int CaseReference = 64;

    /// <summary>The version of the privacy notice a patient was shown.</summary>
    public const int NoticeVersion = 64;

    /// <summary>The reference of the evidence of a proxy's authority (a birth certificate, a registered LPA).</summary>
    public const int EvidenceReference = 128;
}
