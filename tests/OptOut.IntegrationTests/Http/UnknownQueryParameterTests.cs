using System.Net;
using System.Text;
using OptOut.IntegrationTests.Infrastructure;
using OptOut.IntegrationTests.NationalDataOptOut;

namespace OptOut.IntegrationTests.Http;

/// <summary>
/// A query parameter the endpoint does not read is refused, naming it and those the endpoint takes: ignored, a typo
/// changes the question without a word (a pipeline's minSequnce dropped its read-your-writes wait; a DPO's nhs= searched
/// everyone). Names match without regard to case, as binding does. A parameter given twice is refused too, whatever its
/// type: a text one would bind as both values joined by a comma.
/// </summary>
[Collection(OptOutServiceGroup.Name)]
public class UnknownQueryParameterTests(OptOutService service)
{
    [Theory]
    [InlineData("pipeline", "/v1/opt-outs/9434765919?minSequnce=1", "'minSequnce': this endpoint takes minSequence.")]
    [InlineData("pipeline", "/v1/decisions/9434765919?purpose=research&dataSource=gp&asOff=2026-01-01T00:00:00Z", "'asOff': this endpoint takes asOf, dataSource, effectiveAt, legalBasis, purpose.")]
    [InlineData("pipeline", "/v1/opt-out-changes?afer=1", "'afer': this endpoint takes after, limit.")]
    [InlineData("dpo", "/v1/audit/entries?nhs=9434765919", "'nhs': this endpoint takes actor, before, from, kind, limit, nhsNumber, outcome, reference, role, statedPurpose, to.")]
    [InlineData("dpo", "/v1/statistics?month=2026-12&year=2026", "parameters 'month', 'year': this endpoint takes none.")]
    [InlineData("dpo", "/v1/audit/entries?actor=a&Actor=b", "'actor' is given more than once")]
    [InlineData("dpo", "/v1/audit/entries?actor=a&actor=b&kind=access&kind=change", "'actor', 'kind' are each given more than once")]
    [InlineData("pipeline", "/v1/opt-outs/9434765919?minSequence=1&minSequence=2", "minSequence is given 2 times: give it once.")]
    [InlineData("dpo", "/v1/audit/log/proofs/inclusion?entry=1&size=10&size=11", "size is given 2 times: give it once.")]
    public async Task A_query_parameter_the_endpoint_does_not_read_or_given_twice_is_refused_by_name(string role, string url, string mentions)
    {
        var response = await service.As(role).GetAsync(url);

        await BadInputTests.AssertProblemAsync(response, HttpStatusCode.BadRequest, mentions);
    }

    [Fact]
    public async Task A_bulk_check_takes_its_parameters_as_spelt_and_refuses_a_misspelt_one_before_reading_the_list()
    {
        var nhs = TestPatients.NewNhsNumber();

        var misspelt = await service.As("pipeline").PostAsync("/v1/opt-out-checks?purpose=research&dataSource=gp&minSeq=1", new StringContent(nhs + "\n", Encoding.UTF8, "text/plain"));
        var spelt = await service.As("pipeline").PostAsync("/v1/opt-out-checks?purpose=research&DATASOURCE=gp&minSequence=1", new StringContent(nhs + "\n", Encoding.UTF8, "text/plain"));

        await BadInputTests.AssertProblemAsync(misspelt, HttpStatusCode.BadRequest, "'minSeq': this endpoint takes asOf, dataSource, legalBasis, minSequence, purpose.");
        Assert.Equal(HttpStatusCode.OK, spelt.StatusCode);
        Assert.Equal(nhs, (await spelt.Content.ReadAsStringAsync()).Trim());
    }
}
