using OptOut.NhsNumbers;

namespace OptOut.Records;

/// <summary>
/// What every event on a patient's stream says: whose record, which decision, who made it, when it
/// takes effect and when OptOut learned of it. The two times let a decision be answered as known then
/// or as in force then.
/// </summary>
public interface IPatientEvent
{
    NhsNumber NhsNumber { get; }

    /// <summary>Chosen when the decision is made; choices and decisions name the decision they rest on by it.</summary>
    Guid DecisionId { get; }

    DecisionMaker DecidedBy { get; }

    DateTimeOffset EffectiveAt { get; }

    DateTimeOffset RecordedAt { get; }
}

/// <summary>Events of decisions a person made through a channel (not those recorded by a practice or by OptOut itself).</summary>
public interface IChannelledEvent
{
    Channel Channel { get; }
}
