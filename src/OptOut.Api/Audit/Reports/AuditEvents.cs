using Hl7.Fhir.Model;

namespace OptOut.Audit.Reports;

/// <summary>An audit entry as a FHIR R4 AuditEvent, the interchange model for exported audit.</summary>
public static class AuditEvents
{
    private const string TypeSystem = "http://terminology.hl7.org/CodeSystem/audit-event-type";
    private const string NhsNumberSystem = "https://fhir.nhs.uk/Id/nhs-number";

    public static AuditEvent From(AuditEntry e)
    {
        var audit = new AuditEvent
        {
            Id = e.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Type = new Coding(TypeSystem, "rest", "RESTful Operation"),
            Action = e.Kind == "change" ? AuditEvent.AuditEventAction.U : AuditEvent.AuditEventAction.R,
            Recorded = e.RecordedAt,
            Outcome = e.Outcome < 400 ? AuditEvent.AuditEventOutcome.N0 : e.Outcome < 500 ? AuditEvent.AuditEventOutcome.N4 : AuditEvent.AuditEventOutcome.N8,
            OutcomeDesc = $"HTTP {e.Outcome}",
            Agent =
            [
                new AuditEvent.AgentComponent
                {
                    Who = new ResourceReference { Display = e.Actor, Identifier = new Identifier("https://optout.nhs.uk/Id/subject", e.Actor) },
                    Role = [new CodeableConcept("https://optout.nhs.uk/CodeSystem/role", e.ActorRole == "" ? "anonymous" : e.ActorRole)],
                    Requestor = true,
                    PurposeOfUse = e.Purpose is null ? [] : [new CodeableConcept("https://optout.nhs.uk/CodeSystem/purpose", e.Purpose)],
                },
            ],
            Source = new AuditEvent.SourceComponent { Observer = new ResourceReference { Display = "OptOut" } },
            Entity =
            [
                new AuditEvent.EntityComponent
                {
                    Description = e.Action,
                    Query = System.Text.Encoding.UTF8.GetBytes(e.Details),
                    Detail =
                    [
                        new AuditEvent.DetailComponent { Type = "requestId", Value = new FhirString(e.RequestId) },
                        new AuditEvent.DetailComponent { Type = "previousHash", Value = new FhirString(e.PreviousHash) },
                        new AuditEvent.DetailComponent { Type = "hash", Value = new FhirString(e.Hash) },
                    ],
                },
            ],
        };

        if (e.NhsNumber is not null)
        {
            audit.Entity.Add(new AuditEvent.EntityComponent { What = new ResourceReference { Identifier = new Identifier(NhsNumberSystem, e.NhsNumber) } });
        }

        return audit;
    }
}
