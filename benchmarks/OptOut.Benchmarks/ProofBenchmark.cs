using System.Diagnostics;
using Npgsql;
using OptOut.Audit;
using OptOut.Audit.Transparency;
using OptOut.EventStore;

namespace OptOut.Benchmarks;

/// <summary>
/// Serving an inclusion proof, measured in the service's own code against the benchmark store and without the audit
/// commit every API call waits for: random entries of the latest checkpoint, each proof on a connection from the pool,
/// against the baseline of reading one audit entry by its sequence (the least a proof could cost) in the same run.
/// </summary>
public static class ProofBenchmark
{
    public static async Task<string> RunAsync(string connectionString, int proofs = 2_000)
    {
        await using var database = NpgsqlDataSource.Create(connectionString);
        var tree = new LogTree(new AuditSchema(database, new EventStoreNames("optout")));
        var service = new LogProofService(database, tree);
        var latest = await service.CheckpointAsync(null, CancellationToken.None) ?? throw new InvalidOperationException("No checkpoint: run the service first.");
        var random = new Random(42);
        var entries = Enumerable.Range(0, proofs).Select(_ => random.NextInt64(1, latest.Size + 1)).ToArray();

        var baseline = new List<double>();
        var proof = new List<double>();
        for (var round = 0; round < 2; round++) // the first round warms the caches and the JIT; the second is kept
        {
            baseline.Clear();
            proof.Clear();
            foreach (var entry in entries)
            {
                var started = Stopwatch.GetTimestamp();
                await using (var command = database.CreateCommand("select hash from optout.audit_entries where seq = @seq"))
                {
                    command.Parameters.AddWithValue("seq", entry);
                    await command.ExecuteScalarAsync();
                }

                baseline.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                started = Stopwatch.GetTimestamp();
                await service.InclusionAsync(entry, latest.Size, CancellationToken.None);
                proof.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }

        return $"Inclusion proofs in a log of {latest.Size:N0} entries ({proofs:N0} random entries, alternating with the baseline):\n" +
               $"  one entry by sequence (baseline): p50 {Percentile(baseline, 0.5):F2} ms, p99 {Percentile(baseline, 0.99):F2} ms\n" +
               $"  an inclusion proof:               p50 {Percentile(proof, 0.5):F2} ms, p99 {Percentile(proof, 0.99):F2} ms " +
               $"({Percentile(proof, 0.5) / Percentile(baseline, 0.5):F1}x and {Percentile(proof, 0.99) / Percentile(baseline, 0.99):F1}x the baseline)";
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(p * sorted.Count))];
    }
}
