using OptOut.Records;

namespace OptOut.Statistics;

/// <summary>
/// What one patient's record adds to the figures as it stands: a national opt-out in force, a Type 1 opt-out under
/// a practice, and the latest state of each consent. A record merged into another adds nothing (its choices count
/// once, on the record that survives), so the figures count people, not numbers.
/// </summary>
public sealed record Standing(bool NationalOptOut, string? Type1Practice, IReadOnlyList<string> Consents)
{
    public static readonly Standing Nothing = new(false, null, []);

    public static Standing Of(PatientPreferences record) => record.SupersededBy is not null
        ? Nothing
        : new(
            record.NationalDataOptOut.OptedOut,
            record.Type1OptOut.Dissent ? record.Type1OptOut.PracticeOdsCode : null,
            [.. record.Consents.Values.Select(c => ConsentKey(c.Purpose, c.Status))]);

    /// <summary>A consent counter's dimension: the purpose and the state, for example "wearables-to-gp/permit".</summary>
    public static string ConsentKey(string purpose, ConsentStatus status) => $"{purpose}/{StateName(status)}";

    public static string StateName(ConsentStatus status) => status.ToString().ToLowerInvariant();
}
