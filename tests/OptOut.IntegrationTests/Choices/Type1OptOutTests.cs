using System.Net;
using OptOut.IntegrationTests.Infrastructure;
using OptOut.IntegrationTests.NationalDataOptOut;

namespace OptOut.IntegrationTests.Choices;

[Collection(OptOutServiceGroup.Name)]
public class Type1OptOutTests(OptOutService service)
{
    [Fact]
    public async Task A_practice_records_and_withdraws_a_Type_1_opt_out_under_its_own_ODS_code()
    {
        var nhs = TestPatients.NewNhsNumber();
        var practice = service.As("practice", odsCode: "A81001");

        var recorded = await practice.SendJsonAsync(HttpMethod.Put, $"/v1/patients/{nhs}/type-1-opt-out",
            new { dissent = true, practiceOdsCode = "A81001", code = "827241000000103" }).JsonAsync();
        Assert.True(recorded.GetProperty("type1OptOut").GetProperty("dissent").GetBoolean());
        Assert.Equal("A81001", recorded.GetProperty("type1OptOut").GetProperty("practiceOdsCode").GetString());

        var withdrawn = await practice.SendJsonAsync(HttpMethod.Put, $"/v1/patients/{nhs}/type-1-opt-out",
            new { dissent = false, practiceOdsCode = "A81001", code = "827261000000102" }).JsonAsync();
        Assert.False(withdrawn.GetProperty("type1OptOut").GetProperty("dissent").GetBoolean());
        Assert.Equal(2, await service.EventCountAsync(nhs));
    }

    [Fact]
    public async Task Only_the_practice_holding_a_Type_1_opt_out_withdraws_it_and_the_dissent_moves_with_the_patient()
    {
        var nhs = TestPatients.NewNhsNumber();
        var first = service.As("practice", odsCode: "A81001");
        var other = service.As("practice", odsCode: "B82002");
        await first.SendJsonAsync(HttpMethod.Put, $"/v1/patients/{nhs}/type-1-opt-out",
            new { dissent = true, practiceOdsCode = "A81001", code = "827241000000103" }).JsonAsync();

        // A practice that does not hold the dissent (a mistyped number there, or a token used against anyone) cannot lift it.
        var refused = await other.SendJsonAsync(HttpMethod.Put, $"/v1/patients/{nhs}/type-1-opt-out",
            new { dissent = false, practiceOdsCode = "B82002", code = "827261000000102" });
        await BadInputTests.AssertProblemAsync(refused, HttpStatusCode.UnprocessableEntity, "held by practice A81001");
        Assert.Equal(1, await service.EventCountAsync(nhs));

        // The patient registers with the other practice: its dissent is recorded as the record moving, and then it may withdraw it.
        var moved = await other.SendJsonAsync(HttpMethod.Put, $"/v1/patients/{nhs}/type-1-opt-out",
            new { dissent = true, practiceOdsCode = "B82002", code = "9Nu0" }).JsonAsync();
        Assert.Equal(("B82002", "9Nu0"), (moved.GetProperty("type1OptOut").GetProperty("practiceOdsCode").GetString(), moved.GetProperty("type1OptOut").GetProperty("code").GetString()));
        var again = await other.SendJsonAsync(HttpMethod.Put, $"/v1/patients/{nhs}/type-1-opt-out",
            new { dissent = true, practiceOdsCode = "B82002", code = "9Nu0" }).JsonAsync();
        Assert.Equal(2, again.GetProperty("version").GetInt32());

        var withdrawn = await other.SendJsonAsync(HttpMethod.Put, $"/v1/patients/{nhs}/type-1-opt-out",
            new { dissent = false, practiceOdsCode = "B82002", code = "827261000000102" }).JsonAsync();
        Assert.False(withdrawn.GetProperty("type1OptOut").GetProperty("dissent").GetBoolean());
        Assert.Equal(3, await service.EventCountAsync(nhs));
    }

    [Fact]
    public async Task A_practice_cannot_record_under_another_practices_code()
    {
        var nhs = TestPatients.NewNhsNumber();

        var response = await service.As("practice", odsCode: "A81001").SendJsonAsync(HttpMethod.Put, $"/v1/patients/{nhs}/type-1-opt-out",
            new { dissent = true, practiceOdsCode = "B82002", code = "9Nu0" });

        await BadInputTests.AssertProblemAsync(response, HttpStatusCode.Forbidden, "own ODS code");
        Assert.Equal(0, await service.EventCountAsync(nhs));
    }

    [Theory]
    [InlineData(true, "827261000000102", "dissent code")]
    [InlineData(false, "9Nu0", "withdrawal code")]
    [InlineData(true, "", "code")]
    public async Task A_code_from_the_wrong_list_is_refused(bool dissent, string code, string mentions)
    {
        var nhs = TestPatients.NewNhsNumber();

        var response = await service.As("practice", odsCode: "A81001").SendJsonAsync(HttpMethod.Put, $"/v1/patients/{nhs}/type-1-opt-out",
            new { dissent, practiceOdsCode = "A81001", code });

        await BadInputTests.AssertProblemAsync(response, HttpStatusCode.BadRequest, mentions);
        Assert.Equal(0, await service.EventCountAsync(nhs));
    }

    [Theory]
    [InlineData("patient")]
    [InlineData("admin")]
    [InlineData("pipeline")]
    public async Task Only_a_practice_records_a_Type_1_opt_out(string role)
    {
        var nhs = TestPatients.NewNhsNumber();

        var response = await service.As(role, nhs, odsCode: "A81001").SendJsonAsync(HttpMethod.Put, $"/v1/patients/{nhs}/type-1-opt-out",
            new { dissent = true, practiceOdsCode = "A81001", code = "9Nu0" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(0, await service.EventCountAsync(nhs));
    }

    [Fact]
    public async Task A_practice_cannot_set_the_national_data_opt_out()
    {
        var nhs = TestPatients.NewNhsNumber();

        var response = await service.As("practice", odsCode: "A81001").PutOptOutAsync(nhs, new { optedOut = true, channel = "online" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(0, await service.EventCountAsync(nhs));
    }
}
