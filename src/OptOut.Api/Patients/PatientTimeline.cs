using JasperFx.Events;
using Marten;
using OptOut.Records;

namespace OptOut.Patients;

/// <summary>
/// Every event of one person, across the numbers merged into their record: the history from which any
/// past state is answered. Each decision holds from its effective time until the next decision of the
/// same kind takes effect, as OptOut knew it at a given instant.
/// </summary>
public sealed class PatientTimeline
{
    private readonly string _nhsNumber;

    private PatientTimeline(string nhsNumber, IReadOnlyList<IEvent> events)
    {
        _nhsNumber = nhsNumber;
        Events = events;
    }

    /// <summary>In the order OptOut recorded them (global sequence).</summary>
    public IReadOnlyList<IEvent> Events { get; }

    /// <summary>A timeline of events already in hand, in the order OptOut recorded them.</summary>
    internal static PatientTimeline Of(string nhsNumber, IEnumerable<IEvent> events) => new(nhsNumber, [.. events.OrderBy(e => e.Sequence)]);

    public static async Task<PatientTimeline> LoadAsync(IQuerySession session, PatientPreferences record, CancellationToken ct)
    {
        var events = new List<IEvent>();
        foreach (var id in record.Supersedes.Prepend(record.Id))
        {
            events.AddRange(await session.Events.FetchStreamAsync(id, token: ct));
        }

        return Of(record.Id, events);
    }

    /// <summary>
    /// The choices in force at <paramref name="inForceAt"/>, as OptOut knew them at <paramref name="knownAt"/>:
    /// decisions recorded later are unknown; among the known ones, effective order decides.
    /// </summary>
    public PatientPreferences StateAt(DateTimeOffset knownAt, DateTimeOffset inForceAt) =>
        Events
            .Select(e => (Event: e, Data: e.Data as IPatientEvent))
            // A merge re-states choices whose own events are already here; supersession changes no choice.
            .Where(x => x.Data is not null and not SupersededRecordMerged and not NhsNumberSuperseded)
            .Where(x => x.Data!.RecordedAt <= knownAt && x.Data.EffectiveAt <= inForceAt)
            .OrderBy(x => x.Data!.EffectiveAt).ThenBy(x => x.Event.Sequence)
            .Aggregate(PatientPreferences.Empty(_nhsNumber), (state, x) => state.Applying(x.Data!) with { Id = _nhsNumber });

    /// <summary>The stored event a decision was recorded by, for answers that name what they rest on.</summary>
    public EventReference? Reference(Guid? decisionId)
    {
        var e = decisionId is null ? null : Events.FirstOrDefault(x => x.Data is IPatientEvent p && p.DecisionId == decisionId);
        return e is null ? null : EventReference.From(e);
    }
}

/// <summary>Names a stored event: its id (the published message id), global sequence and type.</summary>
public sealed record EventReference(Guid EventId, long Sequence, string EventType, string NhsNumber, Guid DecisionId, DateTimeOffset EffectiveAt, DateTimeOffset RecordedAt)
{
    public static EventReference From(IEvent e)
    {
        var data = (IPatientEvent)e.Data;
        // Stored names are snake case for SQL; on the wire every closed set is kebab case, like channels and rules.
        return new(e.Id, e.Sequence, e.EventTypeName.Replace('_', '-'), e.StreamKey ?? data.NhsNumber.Value, data.DecisionId, data.EffectiveAt, data.RecordedAt);
    }
}
