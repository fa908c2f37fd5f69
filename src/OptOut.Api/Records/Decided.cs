namespace OptOut.Records;

/// <summary>Why a decider would not record a change, in the record's own terms; the write door says it over HTTP.</summary>
public enum RefusalKind
{
    /// <summary>The rules do not allow this change to this record (a guardian for a child of 13 or more).</summary>
    NotAllowedByTheRules,

    /// <summary>The change names something the record never held (a proxy never authorised).</summary>
    NothingToChange,

    /// <summary>A merge names a number already merged into another record.</summary>
    AlreadySuperseded,
}

public sealed record Refusal(RefusalKind Kind, string Detail);

/// <summary>What a decider made of a command: events to append (none for a no-op), or a refusal.</summary>
public sealed record Decided(object[] Events, Refusal? Refused = null)
{
    /// <summary>Events for the second record a write names (a merge's surviving record), in the same transaction.</summary>
    public object[] RelatedEvents { get; init; } = [];

    /// <summary>Answer with the second record's preferences rather than the first's (a merge answers with the survivor).</summary>
    public bool AnswerWithRelated { get; init; }

    public static Decided Refuse(RefusalKind kind, string detail) => new([], new Refusal(kind, detail));
}
