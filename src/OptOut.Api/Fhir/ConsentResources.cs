using Hl7.Fhir.Model;
using Microsoft.Extensions.Options;
using OptOut.Http;
using OptOut.Records;

namespace OptOut.Fhir;

/// <summary>A patient's choices as FHIR R4 Consent resources, the interchange model other NHS systems read.</summary>
public sealed class ConsentResources(IOptions<ChoiceCatalogue> catalogue)
{
    public const string NhsNumberSystem = FhirPatientReference.NhsNumberSystem;
    private const string ScopeSystem = "http://terminology.hl7.org/CodeSystem/consentscope";
    private const string ActReasonSystem = "http://terminology.hl7.org/CodeSystem/v3-ActReason";
    private const string LoincSystem = "http://loinc.org";
    // Only for purposes no standard code fits (a named study, wearable data sharing): OptOut's own catalogue keys.
    private const string PurposeSystem = "https://optout.nhs.uk/CodeSystem/purpose";
    private const string ChoiceSystem = "https://optout.nhs.uk/CodeSystem/choice";
    private const string ProxyRoleSystem = "https://fhir.nhs.uk/CodeSystem/NHSDataOptOutProxyRole";
    private const string NationalDataOptOutPolicy = "https://digital.nhs.uk/services/national-data-opt-out";
    private const string Type1Policy = "https://digital.nhs.uk/about-nhs-digital/our-work/keeping-patient-data-safe/how-we-look-after-your-health-and-care-information/your-information-choices/opting-out-of-sharing-your-confidential-patient-information";

    /// <summary>
    /// A Consent's id is the NHS number and the choice it records (9434765919-national-data-opt-out): stable while the
    /// choice changes, so its fullUrl can be read again, and readable in one load of the patient's record.
    /// </summary>
    public static string IdOf(string nhsNumber, string choice) => $"{nhsNumber}-{choice}";

    public IReadOnlyList<Consent> All(PatientPreferences record, DateTimeOffset now)
    {
        var consents = new List<Consent>();
        var ndoo = record.NationalDataOptOut;
        if (ndoo.DecisionId is not null)
        {
            consents.Add(Build(record.Id, "national-data-opt-out", ndoo.OptedOut, "patient-privacy", ndoo.RecordedAt!.Value, ndoo.DecidedBy,
                NationalDataOptOutPolicy, Consent.ConsentProvisionType.Deny, null, ["research", "planning"]));
        }

        var type1 = record.Type1OptOut;
        if (type1.DecisionId is not null)
        {
            var consent = Build(record.Id, "type-1-opt-out", type1.Dissent, "patient-privacy", type1.RecordedAt!.Value, type1.DecidedBy,
                Type1Policy, Consent.ConsentProvisionType.Deny, null, ["research", "planning"]);
            consent.Organization = [new ResourceReference { Identifier = new Identifier("https://fhir.nhs.uk/Id/ods-organization-code", type1.PracticeOdsCode) }];
            consents.Add(consent);
        }

        foreach (var c in record.Consents.Values.OrderBy(c => c.Purpose, StringComparer.Ordinal))
        {
            var scope = catalogue.Value.Purposes.TryGetValue(c.Purpose, out var p) ? p.FhirScope : "patient-privacy";
            var type = c.Status == ConsentStatus.Deny ? Consent.ConsentProvisionType.Deny : Consent.ConsentProvisionType.Permit;
            consents.Add(Build(record.Id, c.Purpose, c.IsInForceAt(now), scope, c.RecordedAt, c.DecidedBy,
                $"{PurposeSystem}/{c.Purpose}", type, c.Period, [c.Purpose]));
        }

        return consents;
    }

    private Consent Build(
        string nhsNumber, string choice, bool active, string scope, DateTimeOffset recordedAt, DecisionMaker? by,
        string policy, Consent.ConsentProvisionType type, Records.ConsentPeriod? period, IEnumerable<string> purposes) => new()
    {
        Id = IdOf(nhsNumber, choice),
        Meta = new Meta { LastUpdated = recordedAt },
        Status = active ? Consent.ConsentState.Active : Consent.ConsentState.Inactive,
        Scope = new CodeableConcept(ScopeSystem, scope),
        // LOINC 59284-0 "Patient Consent", from FHIR's consent-category value set; OptOut's choice beside it.
        Category = [new CodeableConcept(LoincSystem, "59284-0", "Patient Consent"), new CodeableConcept(ChoiceSystem, choice)],
        Patient = new ResourceReference { Identifier = new Identifier(NhsNumberSystem, nhsNumber) },
        DateTimeElement = new FhirDateTime(recordedAt),
        Performer = by is null ? [] : [Performer(nhsNumber, by)],
        Policy = [new Consent.PolicyComponent { Uri = policy }],
        Provision = new Consent.provisionComponent
        {
            Type = type,
            Period = period is null ? null : new Period(
                period.Start is { } s ? new FhirDateTime(s) : null,
                period.End is { } e ? new FhirDateTime(e) : null),
            Purpose = [.. purposes.Select(PurposeCoding)],
        },
    };

    /// <summary>HL7 v3 ActReason where the catalogue names one (HRESCH for research, HOPERAT for planning, TREAT for care).</summary>
    private Coding PurposeCoding(string purpose) =>
        catalogue.Value.Purposes.TryGetValue(purpose, out var p) && p.ActReason is { } code
            ? new Coding(ActReasonSystem, code, p.Title)
            : new Coding(PurposeSystem, purpose);

    /// <summary>The consenting party: the patient themselves, or a proxy named by role.</summary>
    private static ResourceReference Performer(string nhsNumber, DecisionMaker by) => by.ProxyRole is { } role
        ? new ResourceReference { Display = $"Proxy ({role.ToFhirCode()}), evidence {by.EvidenceReference}", Identifier = new Identifier(ProxyRoleSystem, role.ToFhirCode()) }
        : new ResourceReference { Display = "The patient", Identifier = new Identifier(NhsNumberSystem, nhsNumber) };
}
