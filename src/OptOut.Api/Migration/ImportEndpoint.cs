using Microsoft.AspNetCore.Http.Features;
using OptOut.Security;

namespace OptOut.Migration;

public static class ImportEndpoint
{
    /// <summary>3.5 million rows of nhsNumber,optedOutAt are about 130 MB.</summary>
    private const long MaxImportBytes = 2L << 30;

    public static void MapOptOutImports(this IEndpointRouteBuilder api) =>
        api.MapPost("/admin/opt-out-imports", Handle)
            .WithName("ImportOptOuts")
            .WithSummary("Import existing national data opt-outs from CSV (nhsNumber,optedOutAt) as events. Restartable: numbers already present are skipped.")
            .Accepts<string>("text/csv")
            .Produces<ImportReport>()
            .ProducesProblem(415)
            .RequireAuthorization(p => p.RequireRole(Roles.Admin))
            .WithRequestTimeout(Http.RequestTimeLimits.LongRunning);

    private static async Task<IResult> Handle(HttpContext http, OptOutImporter importer, CancellationToken ct)
    {
        if (http.Request.ContentType?.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase) != true)
        {
            return Problems.Of(Problems.UnsupportedMediaType, "Send text/csv with rows nhsNumber,optedOutAt.");
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxImportBytes;
        }

        try
        {
            return TypedResults.Ok(await importer.ImportAsync(http.Request.Body, "import:" + Caller.From(http.User).Subject, null, ct));
        }
        catch (ImportRefusedException refused)
        {
            return Problems.Of(Problems.InvalidBody, refused.Message);
        }
    }
}
