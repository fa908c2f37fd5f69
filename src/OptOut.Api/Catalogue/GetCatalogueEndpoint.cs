using Microsoft.Extensions.Options;
using OptOut.Records;

namespace OptOut.Catalogue;

/// <summary>One purpose patients may be asked about, as the catalogue defines it.</summary>
public sealed record PurposeView(string Purpose, string Title, bool RequiresConsent, bool BeyondIndividualCare);

/// <summary>
/// The purposes in the catalogue (configuration), so clients such as the patients' pages ask about what OptOut
/// decides on, without a copy of their own.
/// </summary>
public static class GetCatalogueEndpoint
{
    public static void MapGetCatalogue(this IEndpointRouteBuilder api) =>
        api.MapGet("/catalogue/purposes", (IOptions<ChoiceCatalogue> catalogue) => TypedResults.Ok(
                catalogue.Value.Purposes.OrderBy(p => p.Key, StringComparer.Ordinal)
                    .Select(p => new PurposeView(p.Key, p.Value.Title, p.Value.RequiresConsent, p.Value.BeyondIndividualCare)).ToList()))
            .WithName("GetPurposes")
            .WithSummary("The catalogue's purposes: which need a patient's consent, and which are beyond their own care.")
            .RequireAuthorization(p => p.RequireRole(Security.Roles.Patient, Security.Roles.Proxy, Security.Roles.Pipeline, Security.Roles.Practice, Security.Roles.Dpo, Security.Roles.Admin));
}
