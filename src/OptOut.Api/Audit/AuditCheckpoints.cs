using System.Security.Cryptography;
using MassTransit;
using Microsoft.Extensions.Options;
using Npgsql;
using OptOut.Contracts.V1;

namespace OptOut.Audit;

public sealed class AuditOptions
{
    /// <summary>ECDSA P-256 private key (PEM) that signs checkpoints. Without one, a key is made for this process only.</summary>
    public string? SigningKeyPem { get; set; }

    /// <summary>A checkpoint is signed once this many entries are unanchored...</summary>
    public int CheckpointEvery { get; set; } = 1000;

    /// <summary>...or once the oldest unanchored entry is this old.</summary>
    public TimeSpan CheckpointAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Entries per partition of the trail (see <see cref="AuditSchema"/>'s partitions): 4M keeps the newest partition's
    /// indexes near 250 MB, in memory; a patient's history reads one index probe per partition.
    /// </summary>
    public long EntriesPerPartition { get; set; } = 4_194_304;
}

public sealed record AuditCheckpoint(long FromSequence, long ToSequence, string MerkleRoot, string HeadHash, DateTimeOffset SignedAt, string Signature);

/// <summary>
/// Signed tree heads, as Certificate Transparency keeps them: a Merkle root over a run of entries, signed
/// with the service key, stored beside the chain and published over RabbitMQ so a copy exists outside the
/// database. Rewriting history (even recomputing every hash) then needs the private key.
/// </summary>
public sealed class AuditCheckpoints(NpgsqlDataSource database, AuditSchema schema, IOptions<AuditOptions> options, IBus bus, TimeProvider clock, ILogger<AuditCheckpoints> logger)
{
    private readonly ECDsa _key = LoadKey(options.Value.SigningKeyPem);

    public string Table => schema.Table.Replace("audit_entries", "audit_checkpoints", StringComparison.Ordinal);

    public string PublicKeyPem => _key.ExportSubjectPublicKeyInfoPem();

    public bool IsDue(long unanchored, TimeSpan age) => unanchored >= options.Value.CheckpointEvery || age >= options.Value.CheckpointAfter;

    /// <summary>Called after a batch when a checkpoint may be due, inside the chain lock, on the same connection.</summary>
    public async Task<AuditCheckpoint?> SignIfDueAsync(NpgsqlConnection connection, long head, string headHash, DateTimeOffset now, CancellationToken ct)
    {
        await using var last = new NpgsqlCommand($"select coalesce(max(to_seq), 0) from {Table}", connection);
        var from = (long)(await last.ExecuteScalarAsync(ct))! + 1;
        if (head < from)
        {
            return null;
        }

        await using var oldest = new NpgsqlCommand($"select recorded_at from {schema.Table} where seq = @from", connection);
        oldest.Parameters.AddWithValue("from", from);
        var oldestAt = new DateTimeOffset(DateTime.SpecifyKind((DateTime)(await oldest.ExecuteScalarAsync(ct))!, DateTimeKind.Utc));
        if (head - from + 1 < options.Value.CheckpointEvery && now - oldestAt < options.Value.CheckpointAfter)
        {
            return null;
        }

        var leaves = new List<byte[]>();
        await using (var hashes = new NpgsqlCommand($"select hash from {schema.Table} where seq between @from and @to order by seq", connection))
        {
            hashes.Parameters.AddWithValue("from", from);
            hashes.Parameters.AddWithValue("to", head);
            await using var reader = await hashes.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                leaves.Add(Convert.FromHexString(reader.GetString(0)));
            }
        }

        var root = Convert.ToHexString(Contracts.Audit.MerkleTree.Root(leaves)).ToLowerInvariant();
        var unsigned = new AuditCheckpoint(from, head, root, headHash, now, "");
        var checkpoint = unsigned with { Signature = Convert.ToBase64String(_key.SignData(Payload(unsigned), HashAlgorithmName.SHA256)) };
        await using var insert = new NpgsqlCommand($"insert into {Table} (from_seq, to_seq, merkle_root, head_hash, signed_at, signature) values (@f, @t, @r, @h, @a, @s)", connection);
        insert.Parameters.AddWithValue("f", checkpoint.FromSequence);
        insert.Parameters.AddWithValue("t", checkpoint.ToSequence);
        insert.Parameters.AddWithValue("r", checkpoint.MerkleRoot);
        insert.Parameters.AddWithValue("h", checkpoint.HeadHash);
        insert.Parameters.AddWithValue("a", checkpoint.SignedAt);
        insert.Parameters.AddWithValue("s", checkpoint.Signature);
        await insert.ExecuteNonQueryAsync(ct);
        return checkpoint;
    }

    // Published apart from the audit writer, so a broker outage never holds up the requests waiting on their entries.
    // Bounded: during a long outage the oldest unpublished checkpoints give way; each is stored, and every later one covers the chain.
    private readonly System.Threading.Channels.Channel<AuditCheckpoint> _unpublished = System.Threading.Channels.Channel.CreateBounded<AuditCheckpoint>(
        new System.Threading.Channels.BoundedChannelOptions(64) { FullMode = System.Threading.Channels.BoundedChannelFullMode.DropOldest, SingleReader = true });

    public void QueueForPublishing(AuditCheckpoint checkpoint) => _unpublished.Writer.TryWrite(checkpoint);

    /// <summary>Runs beside the audit writer: publishes queued checkpoints in order.</summary>
    public async Task PublishQueuedAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var checkpoint in _unpublished.Reader.ReadAllAsync(ct))
            {
                await PublishAsync(checkpoint);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Shutting down: what is left is stored, and the next process's checkpoints cover it.
        }
    }

    /// <summary>Best effort: the checkpoint is already stored; a broker outage only delays the outside copy until the next one.</summary>
    private async Task PublishAsync(AuditCheckpoint checkpoint)
    {
        try
        {
            var signed = new AuditCheckpointSigned(checkpoint.FromSequence, checkpoint.ToSequence, checkpoint.MerkleRoot, checkpoint.HeadHash, checkpoint.SignedAt, checkpoint.Signature, PublicKeyPem);
            await Publishing.ConfirmDeadline.WithinAsync(token => bus.Publish(signed, token), TimeSpan.FromSeconds(5), clock, CancellationToken.None);
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException or MassTransitException or InvalidOperationException)
        {
            logger.LogWarning(ex, "Audit checkpoint {To} was stored but not yet published", checkpoint.ToSequence);
        }
    }

    public async Task<IReadOnlyList<AuditCheckpoint>> ListAsync(CancellationToken ct)
    {
        var list = new List<AuditCheckpoint>();
        await using var command = database.CreateCommand($"select from_seq, to_seq, merkle_root, head_hash, signed_at, signature from {Table} order by from_seq");
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(new AuditCheckpoint(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4), reader.GetString(5)));
        }

        return list;
    }

    /// <summary>Checks the checkpoints against the entries' hashes and the service key (<see cref="Contracts.Audit.CheckpointVerification"/>).</summary>
    public Contracts.Audit.CheckpointResult Verify(IReadOnlyList<AuditCheckpoint> list, IReadOnlyDictionary<long, byte[]> hashes) =>
        Contracts.Audit.CheckpointVerification.Verify(
            [.. list.Select(c => new Contracts.Audit.SignedCheckpoint(c.FromSequence, c.ToSequence, c.MerkleRoot, c.HeadHash, c.SignedAt, c.Signature))],
            hashes, _key, wholeChain: true);

    /// <summary>What is signed: the range, the root and the head, in a fixed text form a verifier can rebuild.</summary>
    public static byte[] Payload(AuditCheckpoint c) =>
        Contracts.Audit.AuditChain.CheckpointPayload(c.FromSequence, c.ToSequence, c.MerkleRoot, c.HeadHash, c.SignedAt);

    private static ECDsa LoadKey(string? pem)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        if (!string.IsNullOrWhiteSpace(pem))
        {
            key.ImportFromPem(pem);
        }

        return key;
    }
}
