using Npgsql;
using NpgsqlTypes;
using OptOut.Contracts.Audit;

namespace OptOut.Audit.Transparency;

/// <summary>
/// The patient map's nodes. A node is found by its locator: the map version (the log size a merge went up to) that
/// stored it, and its hash; a branch names its children's locators. A new version of the map only appends rows, all
/// under its own version, so they land at the end of the primary key rather than at random in it, and it shares every
/// node it did not change with the version before. A leaf has depth 256 and its key, count and head; a branch its
/// depth, a key under it, and its children's hashes. Every checkpoint names a map version (its size) and its root, which
/// is stored under that version (or version 0, the nodes stored before versions existed), so a proof can be made
/// against any checkpoint.
/// </summary>
public sealed class PatientMapStore(AuditSchema schema)
{
    /// <summary>The columns <see cref="Read"/> and <see cref="ReadLocators"/> expect, in their order.</summary>
    public const string Columns = "depth, key, left_hash, right_hash, entries, head, hash, version, coalesce(left_version, 0), coalesce(right_version, 0)";

    public const short LeafDepth = PatientMap.KeyBits;

    public string Table => schema.Table.Replace("audit_entries", "audit_map", StringComparison.Ordinal);

    /// <summary>The versions a root of the map at <paramref name="size"/> may be stored under.</summary>
    public static long[] RootVersions(long size) => [0, size];

    /// <summary>SQL: whether the root <paramref name="root"/> is stored under one of <paramref name="versions"/> (parameter names; the versions from <see cref="RootVersions"/>).</summary>
    public string RootStored(string root, string versions) =>
        $"exists (select 1 from {Table} where version = any(@{versions}) and hash = @{root})";

    /// <summary>
    /// The insert of <paramref name="nodes"/>, all made by the map version <paramref name="version"/>, as one statement
    /// (arrays unnested); <paramref name="locate"/> gives the version of each child a branch keeps from an older one.
    /// </summary>
    public NpgsqlBatchCommand Insert(IReadOnlyList<MapNode> nodes, long version, Func<byte[], long> locate)
    {
        var command = new NpgsqlBatchCommand(
            $"insert into {Table} (version, hash, depth, key, left_hash, right_hash, entries, head, left_version, right_version) " +
            "select @version, * from unnest(@hash, @depth, @key, @left, @right, @entries, @head, @left_version, @right_version) on conflict do nothing");
        command.Parameters.Add(new NpgsqlParameter<long>("version", version));
        command.Parameters.Add(new NpgsqlParameter<byte[][]>("hash", [.. nodes.Select(n => n.Hash)]));
        command.Parameters.Add(new NpgsqlParameter<short[]>("depth", [.. nodes.Select(n => n is MapBranch b ? (short)b.Depth : LeafDepth)]));
        command.Parameters.Add(new NpgsqlParameter<byte[][]>("key", [.. nodes.Select(n => n.Key)]));
        command.Parameters.Add(new NpgsqlParameter("left", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = nodes.Select(n => (n as MapBranch)?.LeftHash).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("right", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = nodes.Select(n => (n as MapBranch)?.RightHash).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("entries", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = nodes.Select(n => (n as MapLeafNode)?.Leaf.Entries).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("head", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = nodes.Select(n => (n as MapLeafNode)?.Leaf.Head).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("left_version", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = nodes.Select(n => n is MapBranch b ? locate(b.LeftHash) : (long?)null).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("right_version", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = nodes.Select(n => n is MapBranch b ? locate(b.RightHash) : (long?)null).ToArray() });
        return command;
    }

    /// <summary>The nodes at these locators (version and hash, side by side), in one statement; only branches if <paramref name="branchesOnly"/>.</summary>
    public NpgsqlCommand Select(NpgsqlConnection connection, IReadOnlyList<long> versions, IReadOnlyList<byte[]> hashes, bool branchesOnly = false)
    {
        var command = new NpgsqlCommand(
            $"select {Columns} from {Table} m join unnest(@versions, @hashes) w (wanted_version, wanted_hash) on m.version = w.wanted_version and m.hash = w.wanted_hash" +
            (branchesOnly ? $" where m.depth < {LeafDepth}" : ""), connection);
        command.Parameters.Add(new NpgsqlParameter<long[]>("versions", [.. versions]));
        command.Parameters.Add(new NpgsqlParameter<byte[][]>("hashes", [.. hashes]));
        return command;
    }

    /// <summary>
    /// The proof for <paramref name="key"/> in <paramref name="map"/>, read in one statement down the key's bits; null
    /// when a node on the way is not stored (deleted), which no proof can get round.
    /// </summary>
    public async Task<MapProof?> ProveAsync(NpgsqlConnection connection, MapCommitment map, byte[] key, CancellationToken ct)
    {
        if (map.Root.AsSpan().SequenceEqual(PatientMap.EmptyRoot))
        {
            return new MapProof([], null);
        }

        // get_bit numbers the bits of each byte from the least significant; the map's bit d is the d-th from the most.
        await using var command = new NpgsqlCommand(
            $"""
             with recursive path (depth, key, left_hash, right_hash, entries, head, hash, version, left_version, right_version, step) as (
               select {Columns}, 0 from {Table} where version = any(@versions) and hash = @root
               union all
               select c.depth, c.key, c.left_hash, c.right_hash, c.entries, c.head, c.hash, c.version,
                      coalesce(c.left_version, 0), coalesce(c.right_version, 0), p.step + 1
               from path p join {Table} c
                 on c.version = case when get_bit(@key, p.depth + 7 - 2 * (p.depth % 8)) = 0 then p.left_version else p.right_version end
                and c.hash = case when get_bit(@key, p.depth + 7 - 2 * (p.depth % 8)) = 0 then p.left_hash else p.right_hash end
               where p.depth < {LeafDepth} and p.step < {LeafDepth})
             select depth, key, left_hash, right_hash, entries, head, hash, version, left_version, right_version
             from path order by step limit {LeafDepth + 1}
             """, connection);
        command.Parameters.AddWithValue("versions", RootVersions(map.Size));
        command.Parameters.AddWithValue("root", map.Root);
        command.Parameters.AddWithValue("key", key);
        var path = new List<(int, byte[])>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var node = Read(reader);
            if (node is MapLeafNode leaf)
            {
                return new MapProof(path, leaf.Leaf);
            }

            var branch = (MapBranch)node;
            path.Add((branch.Depth, PatientMap.Bit(key, branch.Depth) == 0 ? branch.RightHash : branch.LeftHash));
        }

        return null;
    }

    /// <summary>A node from a row of <see cref="Columns"/>.</summary>
    public static MapNode Read(NpgsqlDataReader r)
    {
        var depth = r.GetInt16(0);
        return depth == LeafDepth
            ? new MapLeafNode(new MapLeaf((byte[])r[1], r.GetInt64(4), (byte[])r[5]))
            : new MapBranch(depth, (byte[])r[1], (byte[])r[2], (byte[])r[3]);
    }

    /// <summary>From a row of <see cref="Columns"/>: the hash it is stored under, its version, and its children's versions.</summary>
    public static (byte[] Hash, long Version, long LeftVersion, long RightVersion) ReadLocators(NpgsqlDataReader r) =>
        ((byte[])r[6], r.GetInt64(7), r.GetInt64(8), r.GetInt64(9));
}

/// <summary>A node the patient map needs is not stored, or no longer hashes to its name.</summary>
public sealed class MissingMapNodeException(byte[] hash)
    : Exception($"The patient map has no node {Convert.ToBase64String(hash)}: deleted or altered.");
