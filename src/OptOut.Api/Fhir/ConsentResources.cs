using Hl7.Fhir.Model;
using Microsoft.Extensions.Options;
using OptOut.Catalogue;
using OptOut.Decisions;
using OptOut.Patients;

namespace OptOut.Fhir;

/// <summary>A patient's choices as FHIR R4 Consent resources, the interchange model other NHS systems read.</summary>
public sealed class ConsentResources(IOptions<ChoiceCatalogue> catalogue)
{
    public const string NhsNumberSystem = "https://fhir.nhs.uk/Id/nhs-number";
    private const string ScopeSystem = "http://terminology.hl7.org/CodeSystem/consentscope";
    private const string PurposeSystem = "https://optout.nhs.uk/CodeSystem/purpose";
    private const string ProxyRoleSystem = "https://fhir.nhs.uk/CodeSystem/NHSDataOptOutProxyRole";
    private const string NationalDataOptOutPolicy = "https://digital.nhs.uk/services/national-data-opt-out";
    private const string Type1Policy = "https://digital.nhs.uk/about-nhs-digital/our-work/keeping-patient-data-safe/how-we-look-after-your-health-and-care-information/your-information-choices/opting-out-of-sharing-your-confidential-patient-information";

    public Bundle SearchSet(PatientPreferences record, DateTimeOffset now)
    {
        var consents = new List<Consent>();
        var ndoo = record.NationalDataOptOut;
        if (ndoo.DecisionId is { } ndooId)
        {
            consents.Add(Build(record.Id, ndooId, ndoo.OptedOut, "patient-privacy", "national-data-opt-out", ndoo.RecordedAt!.Value, ndoo.DecidedBy,
                NationalDataOptOutPolicy, Consent.ConsentProvisionType.Deny, null, ["research", "planning"]));
        }

        var type1 = record.Type1OptOut;
        if (type1.DecisionId is { } type1Id)
        {
            var consent = Build(record.Id, type1Id, type1.Dissent, "patient-privacy", "type-1-opt-out", type1.RecordedAt!.Value, type1.DecidedBy,
                Type1Policy, Consent.ConsentProvisionType.Deny, null, ["research", "planning"]);
            consent.Organization = [new ResourceReference { Identifier = new Identifier("https://fhir.nhs.uk/Id/ods-organization-code", type1.PracticeOdsCode) }];
            consents.Add(consent);
        }

        foreach (var c in record.Consents.Values.OrderBy(c => c.Purpose, StringComparer.Ordinal))
        {
            var scope = catalogue.Value.Purposes.TryGetValue(c.Purpose, out var p) ? p.FhirScope : "patient-privacy";
            var type = c.Status == ConsentStatus.Deny ? Consent.ConsentProvisionType.Deny : Consent.ConsentProvisionType.Permit;
            consents.Add(Build(record.Id, c.DecisionId, c.IsInForceAt(now), scope, c.Purpose, c.RecordedAt, c.DecidedBy,
                $"{PurposeSystem}/{c.Purpose}", type, c.Period, [c.Purpose]));
        }

        return new Bundle
        {
            Type = Bundle.BundleType.Searchset,
            Total = consents.Count,
            Timestamp = now,
            Entry = [.. consents.Select(c => new Bundle.EntryComponent
            {
                FullUrl = $"urn:uuid:{c.Id}",
                Resource = c,
                Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Match },
            })],
        };
    }

    private static Consent Build(
        string nhsNumber, Guid decisionId, bool active, string scope, string category, DateTimeOffset recordedAt, DecisionMaker? by,
        string policy, Consent.ConsentProvisionType type, Consents.ConsentPeriod? period, IEnumerable<string> purposes) => new()
    {
        Id = decisionId.ToString(),
        Status = active ? Consent.ConsentState.Active : Consent.ConsentState.Inactive,
        Scope = new CodeableConcept(ScopeSystem, scope),
        Category = [new CodeableConcept(PurposeSystem, category)],
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
            Purpose = [.. purposes.Select(x => new Coding(PurposeSystem, x))],
        },
    };

    /// <summary>The consenting party: the patient themselves, or a proxy named by role.</summary>
    private static ResourceReference Performer(string nhsNumber, DecisionMaker by) => by.ProxyRole is { } role
        ? new ResourceReference { Display = $"Proxy ({role.ToWire()}), evidence {by.EvidenceReference}", Identifier = new Identifier(ProxyRoleSystem, role.ToWire()) }
        : new ResourceReference { Display = "The patient", Identifier = new Identifier(NhsNumberSystem, nhsNumber) };
}
