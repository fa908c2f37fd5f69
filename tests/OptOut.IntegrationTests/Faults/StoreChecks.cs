using Xunit.Abstractions;
using OptOut.IntegrationTests.Infrastructure;
using OptOut.Records;

namespace OptOut.IntegrationTests.Faults;

/// <summary>What must hold after a fault, read straight from the event store's tables and from a plain AMQP queue.</summary>
public static class StoreChecks
{
    public const string Exchange = "OptOut.Contracts.V1:NationalDataOptOutChanged";

    // Marten fills the sequence numbers a failed append had reserved with tombstone events on a stream of its own.
    private const string NotTombstones = "stream_id <> 'mt_tombstone'";

    /// <summary>
    /// Every acknowledged change is the event its 2xx named; every change was recorded exactly once (retries
    /// included); and each stream, its version and its inline snapshot agree: nothing is half-written.
    /// </summary>
    public static async Task AssertEveryChangeStoredOnceAsync(TestDatabase database, ChangeLoad load)
    {
        var events = (await database.ListAsync(
                $"select stream_id, version, type from optout.mt_events where {NotTombstones}",
                row => (Stream: row.GetString(0), Version: row.GetInt64(1), Type: row.GetString(2))))
            .ToDictionary(e => (e.Stream, e.Version), e => e.Type);
        foreach (var change in load.Changes)
        {
            Assert.NotNull(change.Version);
            var expected = change.OptedOut ? StoredEvents.NationalSet.Name : StoredEvents.NationalWithdrawn.Name;
            Assert.Equal(expected, events.GetValueOrDefault((change.NhsNumber, change.Version.Value)));
        }

        var changesPerPatient = load.Changes.GroupBy(c => c.NhsNumber).ToDictionary(g => g.Key, g => (long)g.Count());
        var eventsPerPatient = events.Keys.GroupBy(k => k.Stream).ToDictionary(g => g.Key, g => (long)g.Count());
        Assert.Equal(changesPerPatient.OrderBy(p => p.Key), eventsPerPatient.OrderBy(p => p.Key));

        var streams = await database.ListAsync(
            $"select s.id, s.version, (p.data ->> 'version')::bigint from optout.mt_streams s left join optout.mt_doc_patientpreferences p on p.id = s.id where s.id <> 'mt_tombstone'",
            row => (Stream: row.GetString(0), Version: row.GetInt64(1), Snapshot: row.IsDBNull(2) ? -1 : row.GetInt64(2)));
        Assert.All(streams, s =>
        {
            Assert.Equal(eventsPerPatient[s.Stream], s.Version);
            Assert.Equal(s.Version, s.Snapshot);
        });
    }

    /// <summary>As above; when a message is missing, the publisher's last log lines go to the test's output first, as
    /// its and MassTransit's own words tell a slow reconnect from a stuck publisher.</summary>
    public static async Task<IReadOnlyList<Envelope>> AssertEveryEventPublishedAsync(TestDatabase database, ChangeSubscriber queue, ServiceProcess publisher, ITestOutputHelper output)
    {
        try
        {
            return await AssertEveryEventPublishedAsync(database, queue);
        }
        catch (Xunit.Sdk.XunitException)
        {
            output.WriteLine(string.Join('\n', publisher.Output.Split('\n').TakeLast(120)));
            throw;
        }
    }

    /// <summary>
    /// Every stored event reaches the queue, at least once, with its id as the message id; each patient's
    /// messages first arrive in stream order. Returns everything received, duplicates included.
    /// <paramref name="afterSequence"/> leaves out events whose messages a test has already taken.
    /// </summary>
    public static async Task<IReadOnlyList<Envelope>> AssertEveryEventPublishedAsync(TestDatabase database, ChangeSubscriber queue, long afterSequence = 0)
    {
        var stored = (await database.ListAsync($"select id from optout.mt_events where seq_id > {afterSequence} and {NotTombstones}", row => row.GetGuid(0))).ToHashSet();
        var received = await queue.WaitForEachAsync(stored, TimeSpan.FromSeconds(90));

        var missing = stored.Except(received.Select(m => m.MessageId)).Count();
        Assert.True(missing == 0, $"{missing} of {stored.Count} stored events were never published");
        foreach (var patient in received.GroupBy(m => m.NhsNumber))
        {
            var firstArrivals = patient.DistinctBy(m => m.MessageId).Select(m => m.StreamVersion).ToList();
            Assert.Equal(firstArrivals.Order(), firstArrivals);
        }

        return received;
    }

    /// <summary>
    /// Every stored event is named by exactly one audit entry: none acknowledged without one (a crash between the
    /// change's commit and its chaining included), none chained twice (retries and replays included).
    /// </summary>
    public static async Task AssertEveryEventAuditedOnceAsync(TestDatabase database)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (await database.ScalarAsync<long>("select count(*) from optout.audit_pending") > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "Pending audit records were never chained");
            await Task.Delay(100);
        }

        var namedBy = await database.ListAsync($"""
            select e.seq_id, (select count(*) from optout.audit_entries a where
              case when a.details::jsonb ? 'eventSequences' then a.details::jsonb -> 'eventSequences' @> to_jsonb(e.seq_id)
                   else a.details::jsonb ->> 'eventSequence' = e.seq_id::text end)
            from optout.mt_events e where e.{NotTombstones}
            """, row => (Sequence: row.GetInt64(0), Entries: row.GetInt64(1)));
        var wrong = namedBy.Where(e => e.Entries != 1).ToList();
        Assert.True(wrong.Count == 0, $"{wrong.Count} of {namedBy.Count} events are not named by exactly one audit entry: " +
            string.Join(", ", wrong.Take(10).Select(e => $"{e.Sequence} by {e.Entries}")));
    }

    /// <summary>A pipeline asking this instance, once it has caught up with the store, sees each patient's last change.</summary>
    public static async Task AssertIndexAgreesAsync(ServiceProcess service, TestDatabase database, ChangeLoad load)
    {
        var latest = await database.ScalarAsync<long>("select coalesce(max(seq_id), 0) from optout.mt_events");
        var pipeline = service.As("pipeline");
        foreach (var patient in load.Changes.GroupBy(c => c.NhsNumber))
        {
            var expected = patient.MaxBy(c => c.Version)!.OptedOut;
            var status = await pipeline.GetAsync($"/v1/opt-outs/{patient.Key}?minSequence={latest}").JsonAsync();
            Assert.Equal(expected, status.GetProperty("optedOut").GetBoolean());
        }
    }
}
