using System.Globalization;

namespace OptOut.Security;

/// <summary>
/// How sure the sign-in service is of who a person is: NHS login's identity proofing levels (P0 none, P5 basic,
/// P9 high, photo ID checked). A patient or a proxy changes a choice only at or above the configured level
/// (Auth:MinimumProofingLevelToChange); the pages ask the API (GET /v1/me) rather than keep a copy of the setting.
/// </summary>
public sealed class IdentityAssurance
{
    public const string Claim = "identity_proofing_level";

    public string MinimumProofingLevelToChange { get; set; } = "P9";

    /// <summary>A level as a number: anything that is not "P" and digits counts as no proofing at all.</summary>
    public static int Level(string? level) =>
        level is ['P', .. var digits] && int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;

    /// <summary>Staff and systems are vouched for by their own issuer; only people acting for a record are held to the level.</summary>
    public bool MayChange(Caller caller) =>
        !(caller.IsPatient || caller.IsProxy) || Level(caller.ProofingLevel) >= Level(MinimumProofingLevelToChange);

    /// <summary>A 403 naming the level needed, for a person below it; null for everyone else.</summary>
    public ProblemHttpResult? Refuses(Caller caller) => MayChange(caller)
        ? null
        : Http.Problems.Refused(
            $"Changing a choice needs identity proofing level {MinimumProofingLevelToChange} or higher; this sign-in is at P{Level(caller.ProofingLevel).ToString(CultureInfo.InvariantCulture)}. " +
            "Prove your identity with NHS login first, or ask the contact centre to record the choice.");
}
