using Npgsql;
using OptOut.Contracts.Audit;

namespace OptOut.Audit.Transparency;

/// <summary>
/// Keeps the patient map up with the log for the sequencer, off the checkpoints' path: it merges the entries the
/// sequencer has signed into the map, stores the new nodes, and hands back the map for the next checkpoint to sign.
/// One per leader term (made from the latest signed map), so what it remembers never outlives a change of the store.
/// </summary>
public sealed class PatientMapBuilder(
    PatientMapStore store, AuditSchema schema, LogTree tree, MapCommitment from, int maxNodes, int stepEntries, ILogger logger)
{
    /// <summary>
    /// The builder remembers every node of the current map it has read or made, so that once warm a merge reads
    /// nothing (each touched patient otherwise costs a read per branch below the cached ones). The nodes a merge
    /// replaces are forgotten with it: kept, they grew the cache by a path of about 20 nodes an entry, and trimming it
    /// back (a walk, a sort and two dictionaries of millions of nodes) took most of a core under 3,000 audited look-ups
    /// a second, so the map fell behind the log. A map bigger than <c>maxNodes</c> (Audit:Log:MapCacheNodes, about 250 bytes
    /// each) keeps its branches first, shallowest first, and its leaves only if room is left: a merge passes through
    /// branches of every patient it touches, but reads only the leaves of those patients.
    /// </summary>

    /// <summary>The nodes kept, and the version each, and each child of a kept branch, is stored under (its locator with its hash).</summary>
    private readonly MapNodeCache _cache = new();
    private int _trimAt = Math.Min(250_000, maxNodes);
    private bool _warmed;
    private long _reads;


    /// <summary>How far the map goes: its root over the log's first so many entries, every node of it stored.</summary>
    public MapCommitment Current { get; private set; } = from;

    /// <summary>
    /// Merges the entries after <see cref="Current"/> towards <paramref name="target"/> (entries the sequencer has
    /// checked and signed), <c>stepEntries</c> at a time, storing each step's new nodes before the next, and stops at the
    /// last checkpoint's size within one step (or, if none, at the first beyond it); returns the map it reached, for the
    /// next checkpoint to sign. Returning there, and not at the target, keeps a long catch-up's progress (millions of
    /// entries, over a log signed before the map) when its leader stops part way; stopping at a checkpoint's size is
    /// what lets a verifier, which rebuilds the map at each checkpoint, check it.
    /// </summary>
    public async Task<MapCommitment> CatchUpAsync(NpgsqlConnection connection, long target, CancellationToken ct)
    {
        if (!_warmed)
        {
            await WarmAsync(connection, ct);
            // What the warm-up read is all in the map: trimming it at the first merge (seen here: 10 s of a contended
            // core, walking and copying two million branches) would keep every node it had.
            _trimAt = TrimAbove(_cache.Count);
            _warmed = true;
        }

        // The map it goes on from must still be stored: a store restored from a backup since would otherwise be given
        // a map whose older nodes it no longer has. (A node is stored with or after its children, so its root will do.)
        if (!Current.Root.AsSpan().SequenceEqual(PatientMap.EmptyRoot))
        {
            await using var stored = new NpgsqlCommand($"select {store.RootStored("root", "versions")}", connection);
            stored.Parameters.AddWithValue("root", Current.Root);
            stored.Parameters.AddWithValue("versions", PatientMapStore.RootVersions(Current.Size));
            if (!(bool)(await stored.ExecuteScalarAsync(ct))!)
            {
                throw new MissingMapNodeException(Current.Root);
            }
        }

        var stop = await NextStopAsync(connection, target, ct);
        while (Current.Size < stop)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var (named, last) = await NamedAsync(connection, Current.Size, stop, ct);
            var reads = _reads;
            var (root, nodes, replaced) = await AdvanceAsync(connection, Current.Root, named, ct);
            var merged = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            if (nodes.Count == 0 && !root.AsSpan().SequenceEqual(PatientMap.EmptyRoot))
            {
                // Unchanged, but a map's root is stored under its own version, where the checkpoints look for it.
                if (!_cache.Contains(root))
                {
                    await ReadAsync(connection, [root], ct);
                }

                var unchanged = Resolve(root);
                if (_cache.Version(root) != last)
                {
                    nodes = [unchanged];
                }
            }

            if (nodes.Count > 0)
            {
                var made = nodes.Select(n => n.Hash).ToHashSet(KeyOrder.Instance);
                await using var write = new NpgsqlBatch(connection);
                write.BatchCommands.Add(store.Insert(nodes, last, hash => made.Contains(hash) ? last : _cache.Version(hash)));
                await write.ExecuteNonQueryAsync(ct);
                Remember(root, nodes, replaced, last);
            }

            logger.LogDebug("Patient map {Size}: {Entries} entries read and merged in {Merged} ms ({Reads} nodes read), {Nodes} nodes written in {Written} ms; {Cached} cached",
                last, named.Count, (int)merged.TotalMilliseconds, _reads - reads, nodes.Count, (int)(System.Diagnostics.Stopwatch.GetElapsedTime(started) - merged).TotalMilliseconds, _cache.Count);

            Current = new MapCommitment(last, root);
        }

        return Current;
    }

    /// <summary>The size of the last checkpoint within one step of <see cref="Current"/>, or else of the first after it (up to <paramref name="target"/>).</summary>
    private async Task<long> NextStopAsync(NpgsqlConnection connection, long target, CancellationToken ct)
    {
        await using var next = new NpgsqlCommand(
            $"select coalesce((select max(size) from {tree.Checkpoints} where size > @from and size <= least(@target, @from + @step)), " +
            $"(select min(size) from {tree.Checkpoints} where size > @from and size <= @target), @from)", connection);
        next.Parameters.AddWithValue("from", Current.Size);
        next.Parameters.AddWithValue("target", target);
        next.Parameters.AddWithValue("step", (long)stepEntries);
        return (long)(await next.ExecuteScalarAsync(ct))!;
    }

    /// <summary>The entries after <paramref name="after"/> up to <paramref name="target"/> (one step's worth at most) that name a patient, and the last read.</summary>
    private async Task<(List<(string, long, byte[])> Named, long Last)> NamedAsync(NpgsqlConnection connection, long after, long target, CancellationToken ct)
    {
        var named = new List<(string, long, byte[])>();
        await using var read = new NpgsqlCommand($"select seq, nhs_number, hash from {schema.Table} where seq > @after and seq <= @target order by seq limit {stepEntries}", connection);
        read.Parameters.AddWithValue("after", after);
        read.Parameters.AddWithValue("target", target);
        await using var reader = await read.ExecuteReaderAsync(ct);
        var last = target;
        while (await reader.ReadAsync(ct))
        {
            last = reader.GetInt64(0);
            if (!reader.IsDBNull(1))
            {
                named.Add((reader.GetString(1), last - 1, LogTree.LeafOf(reader.GetString(2))));
            }
        }

        return (named, last);
    }

    /// <summary>A node by hash, from what <see cref="LoadPathsAsync"/> read; a missing one means the store lost it.</summary>
    private MapNode Resolve(byte[] hash) =>
        _cache.TryGet(hash, out var node) ? node : throw new MissingMapNodeException(hash);


    /// <summary>
    /// The map after <paramref name="entries"/> (in log order, each naming a patient): each patient's leaf counts them
    /// and chains them on. Returns the new root, the nodes made, which the caller stores (they are remembered here only
    /// once it says they are, with <see cref="Remember"/>), and the nodes of the map before that are no longer in it.
    /// </summary>
    private async Task<(byte[] Root, List<MapNode> Created, List<byte[]> Replaced)> AdvanceAsync(
        NpgsqlConnection connection, byte[] root, List<(string NhsNumber, long LeafIndex, byte[] LogLeaf)> entries, CancellationToken ct)
    {
        if (entries.Count == 0)
        {
            return (root, [], []);
        }

        var from = root.AsSpan().SequenceEqual(PatientMap.EmptyRoot) ? null : root;
        var visited = await LoadPathsAsync(connection, from, [.. entries.Select(e => e.NhsNumber).Distinct().Select(PatientMap.Key)], ct);
        var tree = new PatientMapTree(Resolve, link: false);
        var merged = tree.Grow(from is null ? null : Resolve(from), entries);
        var newRoot = merged?.Hash ?? PatientMap.EmptyRoot;

        // Every node on a merged patient's path changes (its count does), so a node visited on the way down is still in
        // the map only where the merge hung it under a new branch: where a new patient's key parts from it.
        var kept = tree.Created.OfType<MapBranch>().SelectMany(b => new[] { b.LeftHash, b.RightHash }).Append(newRoot).ToHashSet(KeyOrder.Instance);
        return (newRoot, [.. tree.Created], [.. visited.Where(h => !kept.Contains(h))]);
    }

    /// <summary>
    /// Reads, a level at a time, every node on the paths of <paramref name="keys"/> from <paramref name="root"/>: all
    /// that a merge of those keys into the map will visit. Returns them.
    /// </summary>
    private async Task<HashSet<byte[]>> LoadPathsAsync(NpgsqlConnection connection, byte[]? root, IReadOnlyCollection<byte[]> keys, CancellationToken ct)
    {
        var visited = new HashSet<byte[]>(KeyOrder.Instance);
        var level = root is null ? [] : new List<(byte[] Hash, List<byte[]> Keys)> { (root, [.. keys]) };
        while (level.Count > 0)
        {
            visited.UnionWith(level.Select(l => l.Hash));
            var missing = level.Select(l => l.Hash).Where(h => !_cache.Contains(h)).Distinct(KeyOrder.Instance).ToArray();
            if (missing.Length > 0)
            {
                await ReadAsync(connection, missing, ct);
            }

            var next = new List<(byte[], List<byte[]>)>();
            foreach (var (hash, under) in level)
            {
                if (!_cache.TryGetBranch(hash, out var depth, out var key, out var left, out var right))
                {
                    if (!_cache.Contains(hash))
                    {
                        throw new MissingMapNodeException(hash);
                    }

                    continue; // a leaf ends the path
                }

                var going = under.Where(k => PatientMap.Parting(k, key) >= depth).ToLookup(k => PatientMap.Bit(k, depth));
                if (going[0].Any())
                {
                    next.Add((left, going[0].ToList()));
                }

                if (going[1].Any())
                {
                    next.Add((right, going[1].ToList()));
                }
            }

            level = next;
        }

        return visited;
    }

    /// <summary>
    /// Reads the branches of the map it starts from into memory, a level at a time, before its first merge (up to half
    /// the cache): a new leader otherwise reads about six nodes for each patient its first merges touch, one query
    /// round trip and one random page each, and falls behind while its memory fills a patient at a time. With every
    /// branch in memory a merge reads at most the leaf where a new patient's key parts from another's.
    /// </summary>
    private async Task WarmAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var level = Current.Root.AsSpan().SequenceEqual(PatientMap.EmptyRoot) ? [] : new List<byte[]> { Current.Root };
        while (level.Count > 0 && _cache.Count < maxNodes / 2)
        {
            foreach (var chunk in level.Where(h => !_cache.Contains(h)).Chunk(10_000))
            {
                await ReadAsync(connection, chunk, ct, branchesOnly: true);
            }

            level = [.. level.SelectMany(h => _cache.TryGetBranch(h, out _, out _, out var left, out var right) ? new[] { left, right } : [])];
        }

        logger.LogInformation("Patient map of {Size} entries: {Branches} branches read into memory in {Elapsed} ms",
            Current.Size, _cache.Count, (int)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>
    /// Keeps the nodes a merge made (under <paramref name="root"/>, now stored), as the ones it will build on next, in
    /// place of those it <paramref name="replaced"/>.
    /// </summary>
    private void Remember(byte[] root, IEnumerable<MapNode> nodes, IEnumerable<byte[]> replaced, long version)
    {
        foreach (var hash in replaced)
        {
            _cache.Remove(hash);
        }

        foreach (var node in nodes)
        {
            _cache.Put(node);
            _cache.SetVersion(node.Hash, version);
        }

        if (_cache.Count <= _trimAt)
        {
            return;
        }

        var kept = new List<(byte[] Hash, int Depth)>();
        var next = new Stack<byte[]>([root]);
        while (next.TryPop(out var hash))
        {
            if (_cache.TryGetBranch(hash, out var depth, out _, out var left, out var right))
            {
                kept.Add((hash, depth));
                next.Push(left);
                next.Push(right);
            }
            else if (_cache.Contains(hash))
            {
                kept.Add((hash, PatientMap.KeyBits));
            }
        }

        if (kept.Count > maxNodes)
        {
            // A parent is shallower than its children, so every node kept still hangs from the root by kept branches.
            kept = [.. kept.OrderBy(n => n.Depth).Take(maxNodes)];
        }

        _cache.KeepOnly([.. kept.Select(n => n.Hash)]);
        _trimAt = TrimAbove(kept.Count);
    }

    /// <summary>The cache's size at which the next trim is due, after one (or the warm-up) left it holding <paramref name="kept"/> nodes.</summary>
    private int TrimAbove(int kept) => Math.Max(Math.Min(250_000, maxNodes), Math.Min(2 * kept, maxNodes + (maxNodes / 4)));

    /// <summary>Reads nodes by locator; only the root of the map it started from has no known version, and is looked for under both of a root's.</summary>
    private async Task ReadAsync(NpgsqlConnection connection, byte[][] hashes, CancellationToken ct, bool branchesOnly = false)
    {
        var wanted = hashes.SelectMany(h => _cache.TryGetVersion(h, out var v) ? [(v, h)] : PatientMapStore.RootVersions(Current.Size).Select(r => (r, h))).ToList();
        await using var command = store.Select(connection, [.. wanted.Select(w => w.Item1)], [.. wanted.Select(w => w.h)], branchesOnly);
        _reads += hashes.Length;
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var node = PatientMapStore.Read(reader);
            var (hash, version, leftVersion, rightVersion) = PatientMapStore.ReadLocators(reader);
            // A row whose content no longer gives its hash is not the node: left out, it reads as missing.
            if (node.Hash.AsSpan().SequenceEqual(hash))
            {
                _cache.Put(node);
                _cache.SetVersion(node.Hash, version);
                if (node is MapBranch branch)
                {
                    _cache.SetVersion(branch.LeftHash, leftVersion);
                    _cache.SetVersion(branch.RightHash, rightVersion);
                }
            }
        }
    }
}
