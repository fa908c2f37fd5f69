namespace OptOut.Security;

/// <summary>The roles a token's "role" claim may carry.</summary>
public static class Roles
{
    /// <summary>A patient (NHS login); the token carries their NHS number and may touch only that record.</summary>
    public const string Patient = "patient";

    /// <summary>An extract pipeline: reads opt-out status, never personal detail.</summary>
    public const string Pipeline = "pipeline";

    /// <summary>A data-protection officer: reads the audit trail and patients' choices.</summary>
    public const string Dpo = "dpo";

    /// <summary>NHS staff who record decisions received by phone or post and check proxies' evidence.</summary>
    public const string Admin = "admin";
}

/// <summary>Claim names, as NHS login and the development tokens use them.</summary>
public static class OptOutClaims
{
    public const string Subject = "sub";
    public const string Role = "role";
    public const string NhsNumber = "nhs_number";
}
