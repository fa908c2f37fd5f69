using Npgsql;
using NpgsqlTypes;
using OptOut.Contracts.Audit;

namespace OptOut.Audit.Transparency;

/// <summary>
/// The patient map's nodes, stored by their hash (so each version of the map shares every node it did not change with
/// the one before, and a row is never changed: a new version only adds rows). A leaf has depth 256 and its key, count
/// and head; a branch its depth, a key under it, and its children's hashes. Every checkpoint's map root names one
/// version, so a proof can be made against any checkpoint.
/// </summary>
public sealed class PatientMapStore(AuditSchema schema)
{
    /// <summary>The columns <see cref="Read"/> expects, in its order, then the stored hash.</summary>
    public const string Columns = "depth, key, left_hash, right_hash, entries, head, hash";

    public const short LeafDepth = PatientMap.KeyBits;

    public string Table => schema.Table.Replace("audit_entries", "audit_map", StringComparison.Ordinal);

    /// <summary>The insert of <paramref name="nodes"/> as one statement (arrays unnested), ending with <paramref name="condition"/>'s where.</summary>
    public NpgsqlBatchCommand Insert(IReadOnlyList<MapNode> nodes, string condition)
    {
        var command = new NpgsqlBatchCommand(
            $"insert into {Table} (hash, depth, key, left_hash, right_hash, entries, head) " +
            $"select * from unnest(@hash, @depth, @key, @left, @right, @entries, @head) {condition} on conflict do nothing");
        command.Parameters.Add(new NpgsqlParameter<byte[][]>("hash", [.. nodes.Select(n => n.Hash)]));
        command.Parameters.Add(new NpgsqlParameter<short[]>("depth", [.. nodes.Select(n => n is MapBranch b ? (short)b.Depth : LeafDepth)]));
        command.Parameters.Add(new NpgsqlParameter<byte[][]>("key", [.. nodes.Select(n => n.Key)]));
        command.Parameters.Add(new NpgsqlParameter("left", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = nodes.Select(n => (n as MapBranch)?.LeftHash).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("right", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = nodes.Select(n => (n as MapBranch)?.RightHash).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("entries", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = nodes.Select(n => (n as MapLeafNode)?.Leaf.Entries).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("head", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = nodes.Select(n => (n as MapLeafNode)?.Leaf.Head).ToArray() });
        return command;
    }

    /// <summary>
    /// The proof for <paramref name="key"/> in the map of <paramref name="root"/>, read in one statement down the key's
    /// bits; null when a node on the way is not stored (deleted), which no proof can get round.
    /// </summary>
    public async Task<MapProof?> ProveAsync(NpgsqlConnection connection, byte[] root, byte[] key, CancellationToken ct)
    {
        if (root.AsSpan().SequenceEqual(PatientMap.EmptyRoot))
        {
            return new MapProof([], null);
        }

        // get_bit numbers the bits of each byte from the least significant; the map's bit d is the d-th from the most.
        await using var command = new NpgsqlCommand(
            $"""
             with recursive path as (
               select hash, depth, key, left_hash, right_hash, entries, head, 0 as step from {Table} where hash = @root
               union all
               select c.hash, c.depth, c.key, c.left_hash, c.right_hash, c.entries, c.head, p.step + 1
               from path p join {Table} c
                 on c.hash = case when get_bit(@key, p.depth + 7 - 2 * (p.depth % 8)) = 0 then p.left_hash else p.right_hash end
               where p.depth < {LeafDepth} and p.step < {LeafDepth})
             select depth, key, left_hash, right_hash, entries, head, hash from path order by step
             """, connection);
        command.Parameters.AddWithValue("root", root);
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

    /// <summary>A node from a row of: depth, key, left_hash, right_hash, entries, head.</summary>
    public static MapNode Read(NpgsqlDataReader r)
    {
        var depth = r.GetInt16(0);
        return depth == LeafDepth
            ? new MapLeafNode(new MapLeaf((byte[])r[1], r.GetInt64(4), (byte[])r[5]))
            : new MapBranch(depth, (byte[])r[1], (byte[])r[2], (byte[])r[3]);
    }
}

/// <summary>A node the patient map needs is not stored, or no longer hashes to its name.</summary>
public sealed class MissingMapNodeException(byte[] hash)
    : Exception($"The patient map has no node {Convert.ToBase64String(hash)}: deleted or altered.");
