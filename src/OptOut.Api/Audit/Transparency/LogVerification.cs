using Npgsql;
using OptOut.Contracts.Audit;

namespace OptOut.Audit.Transparency;

/// <summary>
/// Checks the log's signed checkpoints against the trail as it is now: each note signed by the log's key, naming this
/// log, its size and root those of its row, and its root the tree over the entries' hashes recomputed from their
/// content. A rewritten entry (even with every hash after it recomputed) or a checkpoint re-signed with another key is
/// then a break at that checkpoint. The stored subtrees, which proofs are made from, must be the ones the entries give,
/// and none the checkpoints need may be missing: an altered or deleted node would otherwise surface only as a patient's
/// proof that fails. The patient map each checkpoint signs is rebuilt from the entries too (in memory, linked, so only
/// the latest version is held), so a map that leaves out or miscounts a patient's entry is a break; and the stored map
/// nodes must each hash to their name and be all there for the latest map. Fed the entries in order by
/// <see cref="AuditVerifier"/>, in one pass.
/// </summary>
public sealed class LogVerification(LogKey key, PatientMapStore map)
{
    private readonly PatientMapTree _map = PatientMapTree.InMemory();
    private readonly List<(string NhsNumber, long Index, byte[] Leaf)> _named = [];
    private MapNode? _mapRoot;

    // The map's root at every checkpoint's size (a checkpoint signs the map of an earlier one's, as the map trails the
    // tree), and the nodes of the last few, for the check that the latest signed map is all stored.
    private readonly Dictionary<long, byte[]> _mapRoots = new() { [0] = PatientMap.EmptyRoot };
    private readonly Queue<(long Size, MapNode? Root)> _recentMaps = new();
    private (long Size, MapNode? Root)? _lastMap;
    private readonly LogFrontier _frontier = new();
    private readonly Queue<(long Size, byte[] Root, string Note)> _pending = new();
    private readonly Dictionary<(int Level, long Index), byte[]> _nodes = [];
    private long _signedSize;

    public long Verified { get; private set; }

    public AuditMismatch? FirstBreak { get; private set; }

    public static async Task<LogVerification> StartAsync(NpgsqlDataSource database, LogTree tree, PatientMapStore map, LogKey key, CancellationToken ct)
    {
        var verification = new LogVerification(key, map);
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

    /// <summary>The next entry's hash as recomputed from its content, and the patient it names.</summary>
    public void Append(string computedHash, string? nhsNumber)
    {
        var leaf = LogTree.LeafOf(computedHash);
        if (nhsNumber is not null)
        {
            _named.Add((nhsNumber, _frontier.Size, leaf));
        }

        _frontier.Append(leaf, CheckNode);
        while (_pending.TryPeek(out var next) && next.Size == _frontier.Size)
        {
            Check(_pending.Dequeue());
        }
    }

    /// <summary>
    /// Checkpoints beyond the last entry claim entries that are not there (deleted from the end); a stored subtree the
    /// signed checkpoints need that is not there was deleted.
    /// </summary>
    public async Task FinishAsync(NpgsqlDataSource database, CancellationToken ct)
    {
        await CheckStoredMapAsync(database, ct);
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

    /// <summary>The map of every entry so far: the named entries since the last checkpoint merged in.</summary>
    private MapNode? MapUpToHere()
    {
        if (_named.Count > 0)
        {
            _mapRoot = _map.Grow(_mapRoot, _named);
            _named.Clear();
        }

        return _mapRoot;
    }

    /// <summary>
    /// Every stored map node must hash to its name (one statement, in the database), and every node of the latest signed
    /// map must be stored: otherwise a patient's proof fails, or cannot be made.
    /// </summary>
    private async Task CheckStoredMapAsync(NpgsqlDataSource database, CancellationToken ct)
    {
        await using (var altered = database.CreateCommand(
            $"select count(*) from {map.Table} where hash <> case when depth = {PatientMapStore.LeafDepth} " +
            "then sha256('\\x02'::bytea || key || int8send(entries) || head) " +
            "else sha256('\\x03'::bytea || set_byte('\\x00'::bytea, 0, depth) || left_hash || right_hash) end is not false"))
        {
            if ((long)(await altered.ExecuteScalarAsync(ct))! > 0)
            {
                FirstBreak ??= new AuditMismatch(_lastMap?.Size ?? 0, "the patient map's stored nodes no longer hash to their names (altered): patients' proofs through them fail");
                return;
            }
        }

        if (_lastMap is not { Root: { } root } last)
        {
            return;
        }

        // Walked as a proof would be made: from the root under the map's version, each child under the version its
        // parent names. A node stored under another version (or none) is as good as deleted: no proof can reach it.
        var level = new List<(MapNode Node, long[] Versions)> { (root, PatientMapStore.RootVersions(last.Size)) };
        while (level.Count > 0)
        {
            var next = new List<(MapNode, long[])>();
            foreach (var chunk in level.Chunk(10_000))
            {
                var wanted = chunk.SelectMany(c => c.Versions.Select(v => (Version: v, c.Node.Hash))).ToList();
                var found = new Dictionary<byte[], (long Left, long Right)>(KeyOrder.Instance);
                await using (var connection = await database.OpenConnectionAsync(ct))
                await using (var command = map.Select(connection, [.. wanted.Select(w => w.Version)], [.. wanted.Select(w => w.Hash)]))
                await using (var reader = await command.ExecuteReaderAsync(ct))
                {
                    while (await reader.ReadAsync(ct))
                    {
                        var (hash, _, left, right) = PatientMapStore.ReadLocators(reader);
                        found[hash] = (left, right);
                    }
                }

                foreach (var (node, _) in chunk)
                {
                    if (!found.TryGetValue(node.Hash, out var children))
                    {
                        FirstBreak ??= new AuditMismatch(last.Size, $"the patient map signed with the checkpoint of size {last.Size} lacks stored nodes (deleted): patients' proofs through them cannot be made");
                        return;
                    }

                    if (node is MapBranch branch)
                    {
                        next.Add((branch.LeftNode!, [children.Left]));
                        next.Add((branch.RightNode!, [children.Right]));
                    }
                }
            }

            level = next;
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
        var mapRoot = MapUpToHere();
        _mapRoots[checkpoint.Size] = mapRoot?.Hash ?? PatientMap.EmptyRoot;
        _recentMaps.Enqueue((checkpoint.Size, mapRoot));
        if (_recentMaps.Count > 1000)
        {
            _recentMaps.Dequeue();
        }

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
        else if (signed.Map is { } map && !(_mapRoots.TryGetValue(map.Size, out var rebuilt) && rebuilt.AsSpan().SequenceEqual(map.Root)))
        {
            problem = $"the patient map signed with the log's checkpoint of size {checkpoint.Size} is not the map of the first {map.Size} entries: a patient's history proves complete without all of its entries";
        }
        else if (signed.Map is { } good)
        {
            _lastMap = _recentMaps.FirstOrDefault(m => m.Size == good.Size) is { Size: > 0 } kept ? kept : _lastMap;
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
