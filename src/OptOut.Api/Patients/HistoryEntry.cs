using System.Text.Json;
using System.Text.Json.Nodes;
using JasperFx.Events;
using OptOut.Records;

namespace OptOut.Patients;

/// <summary>One decision in a patient's history: what, who decided in what capacity (the same shape as everywhere), through which channel, and when.</summary>
/// <param name="Reference">The change's reference, as the person was given it (<see cref="ChangeReference"/>).</param>
public sealed record HistoryEntry(
    EventReference Event,
    DecidedByView DecidedBy,
    Channel? Channel,
    JsonObject Details,
    string Reference)
{
    // Said once, in Event and DecidedBy, rather than again in each event's own shape.
    private static readonly string[] SaidElsewhere = ["nhsNumber", "decisionId", "decidedBy", "effectiveAt", "recordedAt", "channel"];

    public static HistoryEntry From(IEvent e)
    {
        var data = (IPatientEvent)e.Data;
        var details = JsonSerializer.SerializeToNode(e.Data, e.Data.GetType(), JsonSerializerOptions.Web)!.AsObject();
        foreach (var name in SaidElsewhere)
        {
            details.Remove(name);
        }

        return new HistoryEntry(EventReference.From(e), DecidedByView.From(data.DecidedBy)!, (data as IChannelledEvent)?.Channel, details, ChangeReference.For(data.DecisionId));
    }
}
