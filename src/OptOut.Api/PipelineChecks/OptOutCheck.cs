using OptOut.Http;

namespace OptOut.PipelineChecks;

/// <summary>The record of one bulk check: what was asked, what the answer reflects, and what became of each line.</summary>
public sealed class OptOutCheck
{
    public string Id { get; set; } = "";

    public string Caller { get; set; } = "";

    public string Purpose { get; set; } = "";

    public string DataSource { get; set; } = "";

    public string? LegalBasis { get; set; }

    public DateTimeOffset? AsOf { get; set; }

    /// <summary>The rules applied, in words, so a pipeline can show what its extract was filtered by.</summary>
    public List<string> RuleSet { get; set; } = [];

    /// <summary>The event sequence the answer reflects (the index's, or the store's for asOf checks).</summary>
    public long Sequence { get; set; }

    public long Received { get; set; }

    public long Kept { get; set; }

    public long Removed { get; set; }

    public long Invalid { get; set; }

    public List<InvalidLine> FirstInvalid { get; set; } = [];

    /// <summary>SHA-256 of the submitted body, so the audit trail can name the list without holding it.</summary>
    public string SubmittedSha256 { get; set; } = "";

    public string Status { get; set; } = "running";

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset? FinishedAt { get; set; }
}
