namespace OptOut.Security;

/// <summary>The roles a token's "role" claim may carry.</summary>
public static class Roles
{
    /// <summary>A patient (NHS login); the token carries their NHS number and birth date and reaches only their record.</summary>
    public const string Patient = "patient";

    /// <summary>A person authorised to act for a patient (GUARDIAN, POA, COURTDEP); the token's subject is their proxy id.</summary>
    public const string Proxy = "proxy";

    /// <summary>An extract pipeline: reads opt-out status and decisions, never personal detail.</summary>
    public const string Pipeline = "pipeline";

    /// <summary>A GP practice system; the token carries the practice's ODS code.</summary>
    public const string Practice = "practice";

    /// <summary>A data-protection officer: reads the audit trail and patients' choices.</summary>
    public const string Dpo = "dpo";

    /// <summary>NHS staff who record decisions received by phone or post, check proxies' evidence and merge records.</summary>
    public const string Admin = "admin";
}

/// <summary>Claim names, as NHS login and the development tokens use them.</summary>
public static class OptOutClaims
{
    public const string Subject = "sub";
    public const string Role = "role";
    public const string NhsNumber = "nhs_number";
    public const string BirthDate = "birthdate";
    public const string OdsCode = "ods_code";
}
