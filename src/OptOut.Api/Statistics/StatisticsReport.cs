namespace OptOut.Statistics;

/// <summary>
/// The figures for data-protection officers: a row a month, from the first change to this month. While a rebuild
/// replays, <see cref="Rebuilding"/> says how far it has got, and the figures are those kept when it began.
/// </summary>
public sealed record StatisticsReport(
    long Sequence,
    IReadOnlyList<MonthFigures> Months,
    IReadOnlyList<PracticeFigures> Type1ByPractice,
    RebuildProgress? Rebuilding = null);

/// <summary>A rebuild's replay: the last event replayed, and the last stored when it began, which it must reach.</summary>
public sealed record RebuildProgress(long ReplayedTo, long Target);

/// <summary>
/// One month: what was in force at its end (or now, for this month), and the national opt-outs set and withdrawn in it.
/// Consents are by purpose, then state (permit, deny, withdrawn, expired): each patient's latest choice for it.
/// </summary>
public sealed record MonthFigures(
    string Month,
    long NationalOptOutsInForce,
    Flow NationalOptOutsSet,
    Flow NationalOptOutsWithdrawn,
    long Type1OptOutsInForce,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>> Consents);

/// <summary>Changes in a month: in all, made by patients themselves or by proxies, and by channel.</summary>
public sealed record Flow(long Total, long Self, long Proxy, IReadOnlyDictionary<string, long> ByChannel);

public sealed record PracticeFigures(string Practice, long Type1OptOutsInForce);

/// <summary>The national figures the public sees, each suppressed: null is a withheld count.</summary>
public sealed record NationalStatistics(long Sequence, SuppressionRule Suppression, IReadOnlyList<NationalMonth> Months);

public sealed record SuppressionRule(int Threshold, int RoundTo);

public sealed record NationalMonth(
    string Month,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)] long? NationalOptOutsInForce,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)] long? NationalOptOutsSet,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)] long? NationalOptOutsWithdrawn);
