using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using OptOut.IntegrationTests.Faults;
using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.Images;

/// <summary>
/// The OCI images `infra/optout images` builds (`infra/optout images test` runs these; `infra/optout test` leaves them
/// out, as they need the images built first): each runs its service from its own root filesystem, not as root, and the
/// API from its image serves a change end to end against the real PostgreSQL and RabbitMQ.
/// </summary>
[Trait("Category", "Images")]
public class ImageTests
{
    [Theory]
    [InlineData("api", "/app/OptOut.Api")]
    [InlineData("pages", "/app/OptOut.Web")]
    [InlineData("sign-in", "/app/OptOut.Identity")]
    public async Task Each_image_is_configured_to_run_its_service_as_uid_1654_on_port_8080(string name, string entrypoint)
    {
        using var image = await ContainerImage.UnpackAsync(Tarball(name));

        Assert.Equal([entrypoint], image.Config.GetProperty("Entrypoint").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("1654", image.Config.GetProperty("User").GetString());
        Assert.True(image.Config.GetProperty("ExposedPorts").TryGetProperty("8080/tcp", out _));
        Assert.Contains("Urls=http://+:8080", image.Config.GetProperty("Env").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task The_API_from_its_image_records_a_change_publishes_it_and_answers_a_pipeline()
    {
        using var image = await ContainerImage.UnpackAsync(Tarball("api"));
        var servers = await TestServers.StartAsync();
        await using var database = await TestDatabase.CreateAsync(servers);
        await using var queue = await ChangeSubscriber.BindAsync(servers.RabbitMq, StoreChecks.Exchange);
        await using var api = await ServiceProcess.StartAsync(new TestSettings(), database.ConnectionString, servers.RabbitMq, "optout-image", launch: image.Start);

        var nhs = TestPatients.NewNhsNumber();
        var set = await api.As("admin").PutOptOutAsync(nhs, new { optedOut = true, channel = "call-centre", patientBirthDate = TestPatients.AdultBorn });
        Assert.True(set.IsSuccessStatusCode, await set.Content.ReadAsStringAsync());
        var answer = await (await api.As("pipeline").GetAsync($"/v1/opt-outs/{nhs}")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(answer.GetProperty("optedOut").GetBoolean());
        Assert.Single(await queue.WaitForAsync(m => m.NhsNumber == nhs && m.OptedOut, 1, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task The_sign_in_service_and_the_pages_from_their_images_serve_discovery_and_the_styled_start_page()
    {
        using var signInImage = await ContainerImage.UnpackAsync(Tarball("sign-in"));
        using var pagesImage = await ContainerImage.UnpackAsync(Tarball("pages"));
        var signIn = new Uri($"http://127.0.0.1:{TestServers.FreeTcpPort()}/");
        var pages = new Uri($"http://127.0.0.1:{TestServers.FreeTcpPort()}/");
        using var identity = Run(signInImage, signIn, new() { ["Identity__Issuer"] = signIn.ToString(), ["Identity__WebBaseUrls__0"] = pages.ToString() });
        using var web = Run(pagesImage, pages, new() { ["Web__Authority"] = signIn.ToString(), ["Web__ApiBaseUrl"] = "http://127.0.0.1:1/" });
        using var client = new HttpClient();

        var discovery = await WaitForAsync(client, new Uri(signIn, ".well-known/openid-configuration"), identity);
        Assert.Equal(signIn.ToString(), JsonDocument.Parse(discovery).RootElement.GetProperty("issuer").GetString());

        // The start page, and the NHS.UK stylesheet it links: built by npm into wwwroot, published into the image.
        var start = await WaitForAsync(client, pages, web);
        Assert.Contains("nhsuk-header", start, StringComparison.Ordinal);
        var stylesheet = System.Text.RegularExpressions.Regex.Match(start, "<link[^>]+href=\"(/[^\"]+\\.css[^\"]*)\"").Groups[1].Value;
        Assert.NotEmpty(stylesheet);
        var css = await client.GetAsync(new Uri(pages, stylesheet));
        Assert.True(css.IsSuccessStatusCode, $"{stylesheet}: {css.StatusCode}");
        Assert.Contains(".nhsuk-header", await css.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static string Tarball(string name) =>
        Path.Combine(Environment.GetEnvironmentVariable("OPTOUT_TEST_IMAGES") ?? Path.Combine(Repository.Root, ".local", "images"), $"optout-{name}.tar");

    /// <summary>A service from its image, on its own port, in Development (it trusts the local sign-in service).</summary>
    private static Running Run(ContainerImage image, Uri address, Dictionary<string, string> environment)
    {
        environment["Urls"] = address.ToString().TrimEnd('/');
        environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        var process = Process.Start(image.Start(environment))!;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, line) => output.Enqueue(line.Data ?? "");
        process.ErrorDataReceived += (_, line) => output.Enqueue(line.Data ?? "");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new Running(process, output);
    }

    private static async Task<string> WaitForAsync(HttpClient client, Uri address, Running service)
    {
        for (var attempt = 0; attempt < 150; attempt++)
        {
            Assert.False(service.Process.HasExited, $"It exited:\n{string.Join('\n', service.Output)}");
            try
            {
                var response = await client.GetAsync(address);
                if (response.IsSuccessStatusCode)
                {
                    return await response.Content.ReadAsStringAsync();
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"{address} never answered:\n{string.Join('\n', service.Output)}");
    }

    private sealed record Running(Process Process, System.Collections.Concurrent.ConcurrentQueue<string> Output) : IDisposable
    {
        public void Dispose()
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit();
            Process.Dispose();
        }
    }
}
