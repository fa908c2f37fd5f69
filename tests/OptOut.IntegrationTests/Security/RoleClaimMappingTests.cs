using System.Net;
using OptOut.Cli.Tokens;
using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.Security;

/// <summary>
/// A staff issuer such as NHS CIS2 names roles in its own claim: the configured mapping (here the test hosts' R9001 for
/// dpo and R9002 for admin) admits them as OptOut roles, and a code not mapped admits nothing.
/// </summary>
[Collection(OptOutServiceGroup.Name)]
public class RoleClaimMappingTests(OptOutService service)
{
    [Fact]
    public async Task A_CIS2_role_code_mapped_to_dpo_opens_the_audit_trail_and_me_says_so()
    {
        var client = service.WithToken(Cis2Token("S8000:G8000:R9001"));

        var me = await client.GetAsync("/v1/me").JsonAsync();

        Assert.Equal(["dpo"], me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/audit/entries?limit=1")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PutOptOutAsync(TestPatients.NewNhsNumber(), new { optedOut = true, channel = "paper", patientBirthDate = TestPatients.AdultBorn })).StatusCode);
    }

    [Fact]
    public async Task A_role_code_that_is_not_mapped_grants_nothing()
    {
        var client = service.WithToken(Cis2Token("S8000:G8000:R8000"));

        var me = await client.GetAsync("/v1/me").JsonAsync();

        Assert.Empty(me.GetProperty("roles").EnumerateArray());
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/v1/audit/entries?limit=1")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/v1/statistics")).StatusCode);
    }

    private string Cis2Token(string roleCode) => TokenCommand.Mint(service.SigningKey, new Dictionary<string, object>
    {
        ["sub"] = "cis2-" + roleCode,
        ["nhsid_nrbac_roles"] = new List<object> { new Dictionary<string, object> { ["role_code"] = roleCode, ["org_code"] = "X26" } },
    }, TimeSpan.FromMinutes(5));
}
