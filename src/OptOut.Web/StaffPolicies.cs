namespace OptOut.Web;

/// <summary>Who may open which staff pages: the roles OptOut's API admits for the calls behind them.</summary>
public static class StaffPolicies
{
    /// <summary>Recording a patient's choice made by phone or on paper: PUT .../national-data-opt-out with onBehalfOf, admin only.</summary>
    public const string RecordChoices = "record-choices";

    /// <summary>Searching, exporting and verifying the audit trail: GET /v1/audit/**, data-protection officers only.</summary>
    public const string ReadAudit = "read-audit";

    /// <summary>The full, unsuppressed figures and their rebuild: GET /v1/statistics, POST /v1/statistics/rebuild, data-protection officers only.</summary>
    public const string ReadStatistics = "read-statistics";

    /// <summary>The operational views (checks run, proxy authorities ending, imports): GET /v1/opt-out-checks, /v1/proxies/ending, /v1/admin/opt-out-imports, admin and dpo.</summary>
    public const string SeeOperations = "see-operations";
}
