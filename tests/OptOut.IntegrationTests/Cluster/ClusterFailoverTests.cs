using System.Collections.Concurrent;
using System.Net;
using OptOut.IntegrationTests.Faults;
using OptOut.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace OptOut.IntegrationTests.Cluster;

/// <summary>
/// Faults on the cluster (`infra/optout cluster test`; `infra/optout test` leaves these out): two API instances on
/// three Patroni-managed PostgreSQL nodes and three RabbitMQ nodes, writers and readers running throughout. Each fault
/// is a SIGKILL; afterwards every acknowledged change is stored exactly once, named by exactly one audit entry,
/// published and indexed, and the audit trail with its checkpoints verifies.
/// </summary>
[Trait("Category", "Cluster")]
// One collection: the cluster these kill nodes of is one, so its tests take turns.
[Collection("Cluster")]
public class ClusterFailoverTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Two_primaries_killed_in_turn_are_replaced_by_their_synchronous_standbys_and_nothing_acknowledged_is_lost()
    {
        await using var scenario = await FaultScenario.CreateAsync();
        var instances = new[] { await scenario.StartServiceAsync("optout-a"), await scenario.StartServiceAsync("optout-b") };
        var load = new ChangeLoad();
        var reads = new Reads();
        using var stop = new CancellationTokenSource();
        var next = 0;
        var writing = load.RunAsync(() => instances[Interlocked.Increment(ref next) % 2].As("admin"), writers: 4, stop.Token, pause: TimeSpan.FromMilliseconds(100));
        var reading = reads.RunAsync(instances, stop.Token);

        var kills = new List<(int Round, int Primary, TimeSpan KilledAt, TimeSpan PromotedAt)>();
        for (var round = 1; round <= Rounds; round++)
        {
            await FaultScenario.WaitUntilAsync(() => load.Acknowledged >= 40 * round, TimeSpan.FromSeconds(90), $"{40 * round} changes are acknowledged");
            var primary = await PrimaryAsync();
            var acknowledged = load.Acknowledged;
            var killedAt = ClusterNodes.Clock.Elapsed;
            await ClusterNodes.KillPostgresNodeAsync(primary);

            await FaultScenario.WaitUntilAsync(() => PrimaryAsync().GetAwaiter().GetResult() != primary, TimeSpan.FromSeconds(60), "Patroni promotes a standby");
            var promotedAt = ClusterNodes.Clock.Elapsed;
            // Nobody restarts the service: both instances find the new primary by themselves.
            await FaultScenario.WaitUntilAsync(() => load.Acknowledged >= acknowledged + 20, TimeSpan.FromSeconds(60), "20 more changes are acknowledged");
            kills.Add((round, primary, killedAt, promotedAt));

            // The old primary comes back as a replica of the new one (rewound if it had gone ahead).
            await ClusterNodes.RestartStoppedNodesAsync();
            await FaultScenario.WaitUntilAsync(() => ClusterNodes.RoleAsync(primary).GetAwaiter().GetResult() is "replica streaming" or "replica running",
                TimeSpan.FromSeconds(90), $"pg{primary} rejoins as a replica");
        }

        await stop.CancelAsync();
        await writing;
        await reading;
        foreach (var (round, primary, killedAt, promotedAt) in kills)
        {
            var (unavailable, answered) = reads.OutageAfter(killedAt);
            output.WriteLine($"round {round}: pg{primary} killed; a standby promoted after {ClusterNodes.Format(promotedAt - killedAt)}; look-ups " +
                             $"answered 503 from {ClusterNodes.Format(unavailable - killedAt)} and 200 again from {ClusterNodes.Format(answered - killedAt)} after the kill");
        }

        await load.CompleteAsync(instances[0].As("admin"));
        output.WriteLine($"{load.Changes.Count} changes; answers other than 2xx: {string.Join(", ", load.Failures.GroupBy(f => f).Select(g => $"{g.Key} x{g.Count()}"))}");
        // A client sees a problem it can retry while no primary exists, never a 500 or a hang.
        Assert.All(load.Failures, f => Assert.Contains(f, RetryableFailures));
        Assert.All(reads.Statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"a look-up answered {s}"));
        await AssertNothingLostAsync(scenario, instances[0], load);
    }

    [Fact]
    public async Task A_killed_RabbitMQ_node_that_led_the_consumers_queue_loses_no_message_and_publishing_resumes()
    {
        await using var scenario = await FaultScenario.CreateAsync();
        var service = await scenario.StartServiceAsync();
        var load = new ChangeLoad();
        using var stop = new CancellationTokenSource();
        var writing = load.RunAsync(() => service.As("admin"), writers: 4, stop.Token);
        await FaultScenario.WaitUntilAsync(() => load.Acknowledged >= 40, TimeSpan.FromSeconds(60), "40 changes are acknowledged");

        var leader = await ClusterNodes.QueueLeaderAsync(scenario.Queue.Name);
        await ClusterNodes.KillRabbitNodeAsync(leader);
        var acknowledged = load.Acknowledged;
        await FaultScenario.WaitUntilAsync(() => load.Acknowledged >= acknowledged + 40, TimeSpan.FromSeconds(60), "40 more changes are acknowledged");
        await stop.CancelAsync();
        await writing;
        await load.CompleteAsync(service.As("admin"));

        output.WriteLine($"{leader} killed; {load.Changes.Count} changes");
        await AssertNothingLostAsync(scenario, service, load);
        Assert.NotEqual(leader, await ClusterNodes.QueueLeaderAsync(scenario.Queue.Name));
        await ClusterNodes.RestartStoppedNodesAsync();
    }

    [Fact]
    public async Task The_instance_leading_the_publisher_and_the_sequencer_killed_leaves_the_other_to_take_over()
    {
        await using var scenario = await FaultScenario.CreateAsync();
        var instances = new[] { await scenario.StartServiceAsync("optout-a"), await scenario.StartServiceAsync("optout-b") };
        await FaultScenario.WaitUntilAsync(() => instances.Any(Leads), TimeSpan.FromSeconds(30), "one instance leads the publisher");
        var leader = instances.First(Leads);
        var other = instances.Single(i => i != leader);
        var load = new ChangeLoad();
        using var stop = new CancellationTokenSource();
        var writing = load.RunAsync(() => other.As("admin"), writers: 4, stop.Token);
        await FaultScenario.WaitUntilAsync(() => load.Acknowledged >= 40, TimeSpan.FromSeconds(60), "40 changes are acknowledged");

        var killedAt = ClusterNodes.Clock.Elapsed;
        await leader.KillAsync();
        await FaultScenario.WaitUntilAsync(() => Leads(other), TimeSpan.FromSeconds(30), "the other instance takes over the publisher");
        output.WriteLine($"{leader.Name} killed; {other.Name} leads the publisher after {ClusterNodes.Format(ClusterNodes.Clock.Elapsed - killedAt)}");
        var acknowledged = load.Acknowledged;
        await FaultScenario.WaitUntilAsync(() => load.Acknowledged >= acknowledged + 40, TimeSpan.FromSeconds(60), "40 more changes are acknowledged");
        await stop.CancelAsync();
        await writing;
        await load.CompleteAsync(other.As("admin"));
        await AssertNothingLostAsync(scenario, other, load);
    }

    private static readonly int Rounds = int.Parse(Environment.GetEnvironmentVariable("OPTOUT_TEST_FAILOVERS") ?? "2", System.Globalization.CultureInfo.InvariantCulture);

    private static readonly string[] RetryableFailures = ["503 application/problem+json", "TaskCanceledException"];

    private static bool Leads(ServiceProcess instance) => instance.Output.Contains("This instance publishes the changes", StringComparison.Ordinal);

    private static async Task<int> PrimaryAsync()
    {
        int? primary = null;
        await FaultScenario.WaitUntilAsync(() => (primary = ClusterNodes.PrimaryAsync().GetAwaiter().GetResult()) is not null, TimeSpan.FromSeconds(60), "a PostgreSQL node is primary");
        return primary!.Value;
    }

    private async Task AssertNothingLostAsync(FaultScenario scenario, ServiceProcess service, ChangeLoad load)
    {
        await StoreChecks.AssertEveryChangeStoredOnceAsync(scenario.Database, load);
        await StoreChecks.AssertEveryEventPublishedAsync(scenario.Database, scenario.Queue, service, output);

        await StoreChecks.AssertIndexAgreesAsync(service, scenario.Database, load);
        await FaultScenario.AssertAuditIntactAsync(service);
        await StoreChecks.AssertEveryEventAuditedOnceAsync(scenario.Database);
    }

    /// <summary>Look-ups on every instance throughout, with when each was answered and how.</summary>
    private sealed class Reads
    {
        private readonly ConcurrentQueue<(TimeSpan At, HttpStatusCode Status)> _answers = new();

        public IEnumerable<HttpStatusCode> Statuses => _answers.Select(a => a.Status);

        public Task RunAsync(ServiceProcess[] instances, CancellationToken stop) => Task.WhenAll(instances.Select(instance => Task.Run(async () =>
        {
            var pipeline = instance.As("pipeline");
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var response = await pipeline.GetAsync($"/v1/opt-outs/{TestPatients.NewNhsNumber()}", CancellationToken.None);
                    _answers.Enqueue((ClusterNodes.Clock.Elapsed, response.StatusCode));
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    // The instance being killed, in the publisher test: not a look-up's answer.
                }

                await Task.Delay(20, CancellationToken.None);
            }
        }, CancellationToken.None)));

        /// <summary>
        /// After a fault, when look-ups first failed (each writes its audit entry, so needs a primary) and when they were
        /// answered again: the first 200 after that 503.
        /// </summary>
        public (TimeSpan Unavailable, TimeSpan Answered) OutageAfter(TimeSpan fault)
        {
            var after = _answers.Where(a => a.At >= fault).OrderBy(a => a.At).ToList();
            var unavailable = after.FirstOrDefault(a => a.Status != HttpStatusCode.OK).At;
            return (unavailable, after.FirstOrDefault(a => a.Status == HttpStatusCode.OK && a.At > unavailable).At);
        }
    }
}
