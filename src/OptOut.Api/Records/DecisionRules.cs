
namespace OptOut.Records;

/// <summary>What one rule made of the question: deny, permit, overridden (it would deny, but consent overrides) or not-applicable.</summary>
public sealed record RuleOutcome(string Rule, string Outcome, string Reason, Guid? BasedOnDecision);

/// <summary>What a caller asks about: the purpose, where the data comes from, and the legal basis relied on (if any).</summary>
public sealed record DecisionQuestion(
    string Purpose, PurposeDefinition PurposeDefinition,
    string DataSource, DataSourceDefinition DataSourceDefinition,
    string? LegalBasis, LegalBasisDefinition? LegalBasisDefinition)
{
    /// <summary>
    /// The question from its query parameters, for single and bulk answers alike. Purpose and data source are
    /// required: a question that does not say what data it is about is refused, never answered with a default.
    /// </summary>
    public static DecisionQuestion? From(ChoiceCatalogue c, string? purpose, string? dataSource, string? legalBasis, out string? problem)
    {
        problem = null;
        LegalBasisDefinition? l = null;
        if (purpose is null || !c.Purposes.TryGetValue(purpose, out var p))
        {
            problem = $"purpose {Given(purpose)}one of: {Keys(c.Purposes)}.";
        }
        else if (dataSource is null || !c.DataSources.TryGetValue(dataSource, out var d))
        {
            problem = $"dataSource {Given(dataSource)}one of: {Keys(c.DataSources)}.";
        }
        else if (legalBasis is not null && !c.LegalBases.TryGetValue(legalBasis, out l))
        {
            problem = $"legalBasis {Given(legalBasis)}one of: {Keys(c.LegalBases)} (or left out).";
        }
        else
        {
            return new DecisionQuestion(purpose, p, dataSource, d, legalBasis, l);
        }

        return null;
    }

    private static string Keys<T>(Dictionary<string, T> d) => string.Join(", ", d.Keys.Order(StringComparer.Ordinal));

    /// <summary>What was sent, said back when short (the edge has already refused control characters): a value not in
    /// the catalogue is told apart from one that is missing.</summary>
    private static string Given(string? value) => value switch
    {
        null => "is required, ",
        { Length: <= 64 } => $"'{value}' is not in the catalogue: it is ",
        _ => "is not in the catalogue: it is ",
    };
}

/// <summary>
/// Whether a patient's record may be used for a purpose: every rule in one place, in the order they
/// are weighed. The answer is deny if any rule denies, permit otherwise.
/// </summary>
public static class DecisionRules
{
    public const string ConsentRefused = "consent-refused";
    public const string ExplicitConsent = "explicit-consent";
    public const string ConsentRequired = "consent-required";
    public const string NationalDataOptOut = "national-data-opt-out";
    public const string Type1OptOut = "type-1-opt-out";

    public static IReadOnlyList<RuleOutcome> Weigh(PatientPreferences choices, DecisionQuestion q, DateTimeOffset inForceAt)
    {
        var outcomes = new List<RuleOutcome>();
        choices.Consents.TryGetValue(q.Purpose, out var consent);
        var inForce = consent is not null && consent.IsInForceAt(inForceAt) ? consent : null;
        var permitted = inForce?.Status == ConsentStatus.Permit;

        // A patient's refusal for this purpose stands, whatever the legal basis claimed.
        if (inForce?.Status == ConsentStatus.Deny)
        {
            outcomes.Add(new(ConsentRefused, "deny", "The patient refused the use of their data for this purpose.", inForce.DecisionId));
        }

        // Explicit consent for the purpose overrides the opt-outs, whichever came first.
        if (permitted)
        {
            outcomes.Add(new(ExplicitConsent, "permit", "The patient gave explicit consent for this purpose; it overrides opt-outs whichever came first.", inForce!.DecisionId));
        }
        else if (q.PurposeDefinition.RequiresConsent && inForce?.Status != ConsentStatus.Deny)
        {
            outcomes.Add(new(ConsentRequired, "deny", "This purpose needs the patient's explicit consent, and none is in force.", consent?.DecisionId));
        }

        if (choices.NationalDataOptOut.OptedOut)
        {
            outcomes.Add(NationalOptOut(choices, q, permitted));
        }

        if (choices.Type1OptOut.Dissent)
        {
            outcomes.Add(Type1(choices, q, permitted));
        }

        return outcomes;
    }

    /// <summary>
    /// Whether the national data opt-out applies to the question at all: uses beyond the patient's own care (research
    /// and planning, section 251 flows included), except on an exempt legal basis. Bulk checks apply it from here too.
    /// </summary>
    public static bool NationalOptOutApplies(DecisionQuestion q) =>
        q.PurposeDefinition.BeyondIndividualCare && q.LegalBasisDefinition?.ExemptFromNationalDataOptOut != true;

    /// <summary>Whether a Type 1 opt-out applies: identifiable GP data used beyond the patient's own care, except on an exempt basis.</summary>
    public static bool Type1OptOutApplies(DecisionQuestion q) =>
        q.DataSourceDefinition.GpRecord && q.PurposeDefinition.BeyondIndividualCare && q.LegalBasisDefinition?.ExemptFromType1 != true;

    public static string Verdict(IReadOnlyList<RuleOutcome> outcomes) => outcomes.Any(o => o.Outcome == "deny") ? "deny" : "permit";

    /// <summary>
    /// The national data opt-out covers confidential patient information used beyond the patient's own care
    /// (research and planning), including section 251 flows, but not uses on an exempt legal basis.
    /// </summary>
    private static RuleOutcome NationalOptOut(PatientPreferences choices, DecisionQuestion q, bool permitted)
    {
        var basedOn = choices.NationalDataOptOut.DecisionId;
        if (!NationalOptOutApplies(q))
        {
            return q.PurposeDefinition.BeyondIndividualCare
                ? new(NationalDataOptOut, "not-applicable", $"The national data opt-out does not apply where the legal basis is {q.LegalBasis}.", basedOn)
                : new(NationalDataOptOut, "not-applicable", "The national data opt-out does not apply to the patient's own care.", basedOn);
        }

        return permitted
            ? new(NationalDataOptOut, "overridden", "The patient opted out, but their explicit consent for this purpose overrides it.", basedOn)
            : new(NationalDataOptOut, "deny", "The patient opted out of the use of their confidential information for research and planning.", basedOn);
    }

    /// <summary>A Type 1 opt-out stops identifiable data from GP records leaving the practice for purposes beyond the patient's care.</summary>
    private static RuleOutcome Type1(PatientPreferences choices, DecisionQuestion q, bool permitted)
    {
        var basedOn = choices.Type1OptOut.DecisionId;
        if (!Type1OptOutApplies(q))
        {
            var reason = !q.DataSourceDefinition.GpRecord ? "A Type 1 opt-out applies only to data from GP records."
                : !q.PurposeDefinition.BeyondIndividualCare ? "A Type 1 opt-out does not apply to the patient's own care."
                : $"A Type 1 opt-out does not apply where the legal basis is {q.LegalBasis}.";
            return new(Type1OptOut, "not-applicable", reason, basedOn);
        }

        return permitted
            ? new(Type1OptOut, "overridden", "The patient dissented at their GP practice, but their explicit consent for this purpose overrides it.", basedOn)
            : new(Type1OptOut, "deny", "The patient dissented from identifiable GP data leaving the practice (Type 1 opt-out).", basedOn);
    }
}
