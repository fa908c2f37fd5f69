using Npgsql;
using OptOut.Contracts.Audit;

namespace OptOut.Audit.Transparency;

/// <summary>
/// Checks the log's signed checkpoints against the trail as it is now: each note signed by the log's key, naming this
/// log, its size and root those of its row, and its root the tree over the entries' hashes recomputed from their
/// content. A rewritten entry (even with every hash after it recomputed) or a checkpoint re-signed with another key is
/// then a break at that checkpoint. The stored subtrees, which proofs are made from, must be the ones the entries give,
/// and none the checkpoints need may be missing: an altered or deleted node would otherwise surface only as a patient's
/// proof that fails. Fed the entries in order by <see cref="AuditVerifier"/>, in one pass.
/// </summary>
public sealed class LogVerification(LogKey key)
{
    private readonly LogFrontier _frontier = new();
    private readonly Queue<(long Size, byte[] Root, string Note)> _pending = new();
    private readonly Dictionary<(int Level, long Index), byte[]> _nodes = [];
    private long _signedSize;

    public long Verified { get; private set; }

    public AuditMismatch? FirstBreak { get; private set; }

    public static async Task<LogVerification> StartAsync(NpgsqlDataSource database, LogTree tree, LogKey key, CancellationToken ct)
    {
        var verification = new LogVerification(key);
        await using (var command = database.CreateCommand($"select size, root, note from {tree.Checkpoints} order by size"))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                verification._pending.Enqueue((reader.GetInt64(0), (byte[])reader[1], reader.GetString(2)));
                verification._signedSize = reader.GetInt64(0);
            }
        }

        await using var nodes = database.CreateCommand($"select level, index, hash from {tree.Nodes}");
        await using var stored = await nodes.ExecuteReaderAsync(ct);
        while (await stored.ReadAsync(ct))
        {
            verification._nodes[(stored.GetInt16(0), stored.GetInt64(1))] = (byte[])stored[2];
        }

        return verification;
    }

    /// <summary>The next entry's hash as recomputed from its content.</summary>
    public void Append(string computedHash)
    {
        _frontier.Append(LogTree.LeafOf(computedHash), CheckNode);
        while (_pending.TryPeek(out var next) && next.Size == _frontier.Size)
        {
            Check(_pending.Dequeue());
        }
    }

    /// <summary>
    /// Checkpoints beyond the last entry claim entries that are not there (deleted from the end); a stored subtree the
    /// signed checkpoints need that is not there was deleted.
    /// </summary>
    public void Finish()
    {
        for (var level = LogTree.Stride; (1L << level) <= _signedSize; level += LogTree.Stride)
        {
            for (var index = 0L; index < _signedSize >> level; index++)
            {
                if (!_nodes.ContainsKey((level, index)))
                {
                    FirstBreak ??= new AuditMismatch((index << level) + 1, $"the log's stored subtree at level {level}, index {index} is missing (deleted): proofs through it cannot be made");
                    return;
                }
            }
        }

        if (_pending.TryDequeue(out var beyond))
        {
            FirstBreak ??= new AuditMismatch(_frontier.Size + 1, $"the log's checkpoint of size {beyond.Size} covers entries that are no longer in the trail (deleted)");
        }
    }

    private void CheckNode(int level, long index, byte[] hash)
    {
        if (level % LogTree.Stride == 0 && _nodes.TryGetValue((level, index), out var stored) && !stored.AsSpan().SequenceEqual(hash))
        {
            FirstBreak ??= new AuditMismatch((index << level) + 1, $"the log's stored subtree at level {level}, index {index} no longer matches its entries (altered): proofs through it fail");
        }
    }

    private void Check((long Size, byte[] Root, string Note) checkpoint)
    {
        var text = SignedNote.Verify(checkpoint.Note, key.Origin, key.PublicKey);
        var signed = text is null ? null : LogCheckpoint.Parse(text);
        string? problem = null;
        if (signed is null || signed.Origin != key.Origin)
        {
            problem = $"the log's checkpoint of size {checkpoint.Size} is not signed by this log's key";
        }
        else if (signed.Size != checkpoint.Size || !signed.Root.AsSpan().SequenceEqual(checkpoint.Root))
        {
            problem = $"the log's checkpoint of size {checkpoint.Size} was altered after it was signed";
        }
        else if (!signed.Root.AsSpan().SequenceEqual(_frontier.Root()))
        {
            problem = $"the entries up to {checkpoint.Size} no longer match the log's signed checkpoint of that size (history rewritten)";
        }

        if (problem is null)
        {
            Verified++;
        }
        else
        {
            FirstBreak ??= new AuditMismatch(checkpoint.Size, problem);
        }
    }
}
