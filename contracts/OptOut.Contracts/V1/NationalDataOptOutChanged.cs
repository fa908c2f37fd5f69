namespace OptOut.Contracts.V1;

/// <summary>
/// A patient's national data opt-out was set (<see cref="OptedOut"/> true) or withdrawn (false).
/// Published once per change, at least once: drop duplicates by the message id, which is <see cref="EventId"/>.
/// Messages for one NHS number arrive in <see cref="StreamVersion"/> order; <see cref="Sequence"/> orders all changes.
/// </summary>
/// <param name="NhsNumber">Ten digits, no separators.</param>
/// <param name="OptedOut">Whether the national data opt-out applies after this change.</param>
/// <param name="EffectiveAt">When the choice takes effect (a paper form: when it was signed).</param>
/// <param name="RecordedAt">When OptOut recorded it.</param>
/// <param name="Channel">online, nhs-app, nhs-form, call-centre or paper.</param>
/// <param name="ByProxy">Whether a proxy (GUARDIAN, POA or COURTDEP) decided for the patient.</param>
/// <param name="StreamVersion">The patient's record version after this change (the ETag the API returns).</param>
/// <param name="Sequence">The event's global sequence number in the event store, increasing across all patients.</param>
/// <param name="EventId">The stored event's id, also the message id.</param>
/// <param name="Reference">The change\'s reference ("7KQ4-M2XD"), as the person who made it was given it: the same for every message of one change, and what staff search by when a patient quotes it.</param>
public sealed record NationalDataOptOutChanged(
    string NhsNumber,
    bool OptedOut,
    DateTimeOffset EffectiveAt,
    DateTimeOffset RecordedAt,
    string Channel,
    bool ByProxy,
    long StreamVersion,
    long Sequence,
    Guid EventId,
    string Reference);
