using OptOut.Patients;

namespace OptOut.Patients;

public static class WriteEndpointMetadata
{
    /// <summary>The responses every change to a patient's record can give, for the OpenAPI document.</summary>
    public static RouteHandlerBuilder ProducesPatientWrite(this RouteHandlerBuilder endpoint) => endpoint
        .Produces<PreferencesResponse>()
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status412PreconditionFailed)
        .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
        .WithDescription("Returns the patient's preferences with their version in ETag. If-Match: \"N\" makes the change conditional on that version (412 if stale). " +
                         "A retry with the same Idempotency-Key returns the first response and records nothing. Asking for the state the record is already in records nothing. " +
                         "A superseded NHS number reaches the record that replaced it.");
}
