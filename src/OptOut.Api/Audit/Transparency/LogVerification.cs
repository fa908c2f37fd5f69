using Npgsql;
using OptOut.Contracts.Audit;

namespace OptOut.Audit.Transparency;

/// <summary>
/// Checks the log's signed checkpoints against the trail as it is now: each note signed by the log's key, naming this
/// log, its size and root those of its row, and its root the tree over the entries' hashes recomputed from their
/// content. A rewritten entry (even with every hash after it recomputed) or a checkpoint re-signed with another key is
/// then a break at that checkpoint. Fed the entries in order by <see cref="AuditVerifier"/>, in one pass.
/// </summary>
public sealed class LogVerification(LogKey key)
{
    private readonly LogFrontier _frontier = new();
    private readonly Queue<(long Size, byte[] Root, string Note)> _pending = new();

    public long Verified { get; private set; }

    public AuditMismatch? FirstBreak { get; private set; }

    public static async Task<LogVerification> StartAsync(NpgsqlDataSource database, LogTree tree, LogKey key, CancellationToken ct)
    {
        var verification = new LogVerification(key);
        await using var command = database.CreateCommand($"select size, root, note from {tree.Checkpoints} order by size");
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            verification._pending.Enqueue((reader.GetInt64(0), (byte[])reader[1], reader.GetString(2)));
        }

        return verification;
    }

    /// <summary>The next entry's hash as recomputed from its content.</summary>
    public void Append(string computedHash)
    {
        _frontier.Append(LogTree.LeafOf(computedHash));
        while (_pending.TryPeek(out var next) && next.Size == _frontier.Size)
        {
            Check(_pending.Dequeue());
        }
    }

    /// <summary>Checkpoints beyond the last entry claim entries that are not there: deleted from the end.</summary>
    public void Finish()
    {
        if (_pending.TryDequeue(out var beyond))
        {
            FirstBreak ??= new AuditMismatch(_frontier.Size + 1, $"the log's checkpoint of size {beyond.Size} covers entries that are no longer in the trail (deleted)");
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
