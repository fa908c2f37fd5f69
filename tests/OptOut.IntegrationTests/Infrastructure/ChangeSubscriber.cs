using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace OptOut.IntegrationTests.Infrastructure;

/// <summary>
/// A consumer as another team would write one with a plain AMQP client: a durable quorum queue (replicated across a
/// cluster's nodes, as the README's example declares it) bound to the fanout exchange MassTransit publishes a contract to
/// (named by its full type name), read through any node of a cluster.
/// </summary>
public sealed class ChangeSubscriber : IAsyncDisposable
{
    private readonly Uri _broker;
    private readonly string _queue = "optout-tests-" + Guid.NewGuid().ToString("N");
    private IConnection? _connection;
    private IChannel? _channel;

    private ChangeSubscriber(Uri broker) => _broker = broker;

    public string Name => _queue;

    public static async Task<ChangeSubscriber> BindAsync(Uri broker, string exchange)
    {
        var queue = new ChangeSubscriber(broker);
        var channel = await queue.ChannelAsync();
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false);
        // Durable to outlive a broker restart in the fault tests; a run stopped before its clean-up leaves the queue to the
        // broker, which deletes it after ten minutes unused instead of routing every later change on this broker into it.
        await channel.QueueDeclareAsync(queue._queue, durable: true, exclusive: false, autoDelete: false,
            arguments: new Dictionary<string, object?> { ["x-queue-type"] = "quorum", ["x-expires"] = 600_000 });
        await channel.QueueBindAsync(queue._queue, exchange, "");
        return queue;
    }

    /// <summary>Collects envelopes until <paramref name="count"/> match, riding out a broker that is down.</summary>
    public Task<IReadOnlyList<Envelope>> WaitForAsync(Func<Envelope, bool> match, int count, TimeSpan timeout) =>
        CollectAsync(match, found => found.Count >= count, timeout);

    /// <summary>Collects the messages with these ids (duplicates included) until each has arrived at least once.</summary>
    public Task<IReadOnlyList<Envelope>> WaitForEachAsync(IReadOnlySet<Guid> messageIds, TimeSpan timeout) =>
        CollectAsync(m => messageIds.Contains(m.MessageId), found => found.Select(m => m.MessageId).Distinct().Count() == messageIds.Count, timeout);

    /// <summary>Whatever matching messages arrive within the period: for proving nothing more comes.</summary>
    public Task<IReadOnlyList<Envelope>> CollectForAsync(Func<Envelope, bool> match, TimeSpan period) =>
        CollectAsync(match, _ => false, period);

    private async Task<IReadOnlyList<Envelope>> CollectAsync(Func<Envelope, bool> match, Func<List<Envelope>, bool> done, TimeSpan timeout)
    {
        var found = new List<Envelope>();
        using var deadline = new CancellationTokenSource(timeout);
        while (!done(found) && !deadline.IsCancellationRequested)
        {
            try
            {
                var channel = await ChannelAsync();
                var result = await channel.BasicGetAsync(_queue, autoAck: true);
                if (result is null)
                {
                    await Task.Delay(50);
                    continue;
                }

                var envelope = Envelope.Parse(result.Body.ToArray());
                if (match(envelope))
                {
                    found.Add(envelope);
                }
            }
            catch (Exception ex) when (ex is BrokerUnreachableException or AlreadyClosedException or OperationInterruptedException or IOException)
            {
                await ResetAsync();
                await Task.Delay(250);
            }
        }

        return found;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            var channel = await ChannelAsync();
            await channel.QueueDeleteAsync(_queue);
        }
        finally
        {
            await ResetAsync();
        }
    }

    private async Task<IChannel> ChannelAsync()
    {
        if (_channel is { IsOpen: true })
        {
            return _channel;
        }

        await ResetAsync();
        var nodes = TestServers.RabbitMqNodes.Select(n => n.Split(':')).Select(n => new AmqpTcpEndpoint(n[0], int.Parse(n[1], System.Globalization.CultureInfo.InvariantCulture)));
        _connection = await new ConnectionFactory { Uri = _broker }.CreateConnectionAsync([.. nodes.DefaultIfEmpty(new AmqpTcpEndpoint(_broker.Host, _broker.Port))]);
        _channel = await _connection.CreateChannelAsync();
        return _channel;
    }

    private async Task ResetAsync()
    {
        if (_channel is not null)
        {
            await _channel.DisposeAsync();
            _channel = null;
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync();
            _connection = null;
        }
    }
}

/// <summary>A MassTransit envelope: the message id and the contract message as JSON.</summary>
public sealed record Envelope(Guid MessageId, JsonElement Message)
{
    /// <summary>The whole envelope as it arrived, for checking it against its published schema.</summary>
    public JsonElement Raw { get; private init; }

    public static Envelope Parse(byte[] body)
    {
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        return new Envelope(root.GetProperty("messageId").GetGuid(), root.GetProperty("message").Clone()) { Raw = root.Clone() };
    }

    public string NhsNumber => Message.GetProperty("nhsNumber").GetString()!;

    public bool OptedOut => Message.GetProperty("optedOut").GetBoolean();

    public long StreamVersion => Message.GetProperty("streamVersion").GetInt64();

    public Guid EventId => Message.GetProperty("eventId").GetGuid();
}
