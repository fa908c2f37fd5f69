using JasperFx;
using Marten;
using Microsoft.Extensions.Options;
using OptOut.Records;

namespace OptOut.Consents;

public sealed class ConsentExpiryOptions
{
    /// <summary>How often OptOut looks for consents whose period has ended.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    public int BatchSize { get; set; } = 500;
}

/// <summary>
/// Records ConsentExpired when a consent's period ends, without anyone asking, so the change is
/// published and consumers never rely on a cache timing out. Safe with several instances: each expiry
/// is a normal optimistic write, and a record another instance already expired decides nothing.
/// </summary>
public sealed class ConsentExpiryWorker(
    IDocumentStore store, TimeProvider clock, IOptions<ConsentExpiryOptions> options, Patients.RecordWriter writer, ILogger<ConsentExpiryWorker> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval, clock);
        do
        {
            try
            {
                while (await ExpireBatchAsync(stoppingToken) == options.Value.BatchSize)
                {
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Consent expiry pass failed; it runs again at the next interval");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task<int> ExpireBatchAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var query = store.QuerySession();
        var due = await query.Query<PatientPreferences>()
            .Where(p => p.NextConsentExpiry != null && p.NextConsentExpiry <= now)
            .Select(p => p.Id)
            .Take(options.Value.BatchSize)
            .ToListAsync(ct);

        foreach (var id in due)
        {
            await ExpireAsync(id, now, ct);
        }

        return due.Count;
    }

    private async Task ExpireAsync(string id, DateTimeOffset now, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        try
        {
            var records = await Patients.RecordWriter.FetchAsync(session, NhsNumbers.NhsNumber.Parse(id), null, null, ct);
            var events = ConsentDecider.Expire(records.State, now, () => Guid.CreateVersion7(now));
            if (events.Length > 0)
            {
                // OptOut itself made this change, and it is audited like any other: through the one commit, in the same transaction.
                var run = "consent-expiry-" + Guid.CreateVersion7(now);
                session.CorrelationId = run;
                await writer.CommitAsync(session, Patients.RecordWriter.Append(records, new Decided(events)).Events,
                    new Audit.AuditRecord("change", "expire consents", "optout", "system", id, null, StatusCodes.Status200OK, run, "{}"));
            }
        }
        catch (ConcurrencyException)
        {
            // Another writer got there first; the next pass sees its result.
        }
    }
}
