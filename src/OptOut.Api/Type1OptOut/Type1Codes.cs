namespace OptOut.Type1OptOut;

/// <summary>
/// The clinical codes a practice may use (configuration, section "Type1Codes"): the codes are a policy
/// list kept outside the code, since the SNOMED CT UK codes have not been verified here.
/// </summary>
public sealed class Type1Codes
{
    /// <summary>Dissent from secondary use of GP patient identifiable data: Read v2 9Nu0, CTv3 XaZ89, SNOMED CT 827241000000103.</summary>
    public List<string> Dissent { get; set; } = [];

    /// <summary>Dissent withdrawn: SNOMED CT 827261000000102 and its Read and CTv3 equivalents.</summary>
    public List<string> Withdrawal { get; set; } = [];
}
