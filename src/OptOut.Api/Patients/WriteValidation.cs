using FluentValidation;
using OptOut.Http;

namespace OptOut.Patients;

/// <summary>
/// The opening every write shares, in one place and one order: the NHS number in the path, then the body against its
/// validator. A handler runs only on input that passed both, so it reads the NHS number with <c>NhsNumber.Parse</c>.
/// </summary>
public static class WriteValidation
{
    /// <summary>A write whose path names a patient and whose body is a <typeparamref name="TRequest"/>.</summary>
    public static RouteHandlerBuilder Validates<TRequest>(this RouteHandlerBuilder endpoint) where TRequest : class =>
        endpoint.AddEndpointFilter(async (context, next) =>
        {
            if (BadPath(context.HttpContext) is { } invalid)
            {
                return invalid;
            }

            var request = context.Arguments.OfType<TRequest>().Single();
            var validator = context.HttpContext.RequestServices.GetRequiredService<IValidator<TRequest>>();
            var validation = await validator.ValidateAsync(request, context.HttpContext.RequestAborted);
            return validation.IsValid ? await next(context) : Problems.InvalidFields(validation.ToDictionary());
        });

    /// <summary>A write without a body, whose path names a patient.</summary>
    public static RouteHandlerBuilder ValidatesPatientPath(this RouteHandlerBuilder endpoint) =>
        endpoint.AddEndpointFilter(async (context, next) => BadPath(context.HttpContext) ?? await next(context));

    private static ProblemHttpResult? BadPath(HttpContext http) =>
        http.GetRouteValue("nhsNumber") is string route ? PatientAccess.ParseNhsNumber(route, out _) : null;
}
