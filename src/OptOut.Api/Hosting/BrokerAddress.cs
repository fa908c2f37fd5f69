namespace OptOut.Hosting;

/// <summary>
/// Where RabbitMQ is: the connection string (credentials, virtual host, one node) and, for a cluster, every node
/// (`RabbitMq:Nodes`, "host:port" each), so publishing and readiness move to another node when one is lost.
/// </summary>
public sealed record BrokerAddress(Uri Uri, IReadOnlyList<(string Host, int Port)> Nodes)
{
    public static BrokerAddress From(IConfiguration configuration)
    {
        var uri = new Uri(configuration.GetConnectionString("RabbitMq")
            ?? throw new InvalidOperationException("ConnectionStrings:RabbitMq is not set."));
        var nodes = configuration.GetSection("RabbitMq:Nodes").Get<string[]>() ?? [];
        return new(uri, nodes.Length == 0 ? [(uri.Host, uri.IsDefaultPort ? 5672 : uri.Port)] : [.. nodes.Select(Parse)]);
    }

    public string UserName => Uri.UnescapeDataString(Uri.UserInfo.Split(':', 2)[0]);

    public string Password => Uri.UserInfo.Split(':', 2) is [_, var password] ? Uri.UnescapeDataString(password) : "";

    public string VirtualHost => Uri.AbsolutePath is "" or "/" ? "/" : Uri.UnescapeDataString(Uri.AbsolutePath.TrimStart('/'));

    private static (string, int) Parse(string node) =>
        node.Split(':') is [var host, var port] && int.TryParse(port, System.Globalization.CultureInfo.InvariantCulture, out var number) && host.Length > 0
            ? (host, number)
            : throw new InvalidOperationException($"RabbitMq:Nodes holds \"{node}\"; each node is host:port.");
}
