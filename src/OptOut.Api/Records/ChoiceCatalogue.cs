namespace OptOut.Records;

/// <summary>
/// The purposes, data sources and legal bases OptOut knows (configuration section "Catalogue"): policy,
/// not code, so adding a research study or changing which legal bases are exempt needs no release.
/// </summary>
public sealed class ChoiceCatalogue
{
    public Dictionary<string, PurposeDefinition> Purposes { get; set; } = [];

    public Dictionary<string, DataSourceDefinition> DataSources { get; set; } = [];

    public Dictionary<string, LegalBasisDefinition> LegalBases { get; set; } = [];
}

public sealed class PurposeDefinition
{
    public string Title { get; set; } = "";

    /// <summary>Use beyond the patient's own care: the national data opt-out and Type 1 apply.</summary>
    public bool BeyondIndividualCare { get; set; }

    /// <summary>Data is used for this purpose only with the patient's explicit permit (for example wearable data sharing).</summary>
    public bool RequiresConsent { get; set; }

    /// <summary>The FHIR Consent scope code: research, patient-privacy, treatment or adr.</summary>
    public string FhirScope { get; set; } = "patient-privacy";

    /// <summary>The HL7 v3 ActReason code for this purpose of use (for example HRESCH), where one fits; else OptOut's own code.</summary>
    public string? ActReason { get; set; }
}

public sealed class DataSourceDefinition
{
    public string Title { get; set; } = "";

    /// <summary>Identifiable data from GP records, which a GP Type 1 opt-out protects.</summary>
    public bool GpRecord { get; set; }
}

public sealed class LegalBasisDefinition
{
    public string Title { get; set; } = "";

    /// <summary>The national data opt-out does not apply to uses on this basis.</summary>
    public bool ExemptFromNationalDataOptOut { get; set; }

    /// <summary>A GP Type 1 opt-out does not apply to uses on this basis.</summary>
    public bool ExemptFromType1 { get; set; }
}
