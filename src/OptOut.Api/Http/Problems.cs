namespace OptOut.Http;

/// <summary>RFC 9457 problem responses for the client mistakes every endpoint shares.</summary>
public static class Problems
{
    public static ProblemHttpResult InvalidNhsNumber(string reason) =>
        TypedResults.Problem(title: "Invalid NHS number.", detail: reason, statusCode: StatusCodes.Status400BadRequest);

    public static ProblemHttpResult NotYourRecord() =>
        TypedResults.Problem(title: "Forbidden.", detail: "A patient may read and change only their own record.", statusCode: StatusCodes.Status403Forbidden);

    public static ProblemHttpResult Forbidden(string detail) =>
        TypedResults.Problem(title: "Forbidden.", detail: detail, statusCode: StatusCodes.Status403Forbidden);

    public static ProblemHttpResult BadIfMatch() =>
        TypedResults.Problem(title: "Invalid If-Match header.", detail: "If-Match must be the quoted version from an earlier ETag, for example \"3\".", statusCode: StatusCodes.Status400BadRequest);

    public static ProblemHttpResult StaleVersion(long? expected) =>
        TypedResults.Problem(title: "The record has changed.", detail: $"If-Match named version {expected}, but the record has moved on. Read it again and retry.", statusCode: StatusCodes.Status412PreconditionFailed);

    public static ProblemHttpResult ConcurrentChange() =>
        TypedResults.Problem(title: "A concurrent change won.", detail: "Another change to this record was saved at the same moment. Retry the request.", statusCode: StatusCodes.Status409Conflict);

    public static ProblemHttpResult Unprocessable(string detail) =>
        TypedResults.Problem(title: "The request cannot be carried out.", detail: detail, statusCode: StatusCodes.Status422UnprocessableEntity);
}
