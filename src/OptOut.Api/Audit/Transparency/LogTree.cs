using System.Numerics;
using Npgsql;
using OptOut.Contracts.Audit;

namespace OptOut.Audit.Transparency;

/// <summary>
/// The RFC 9162 Merkle tree over the whole audit trail, leaf i being entry i + 1 (its 32-byte hash). Only the complete
/// subtrees of 256, 65,536, ... leaves are stored (levels 8, 16, ...: one row per 256 entries, written by the sequencer
/// as they complete and never changed); every other hash is folded from at most 128 stored hashes or entries' own
/// hashes, so a proof reads a handful of blocks whatever the size of the trail.
/// </summary>
public sealed class LogTree(AuditSchema schema)
{
    public const int Stride = 8;
    private const int Block = 1 << Stride;

    public string Nodes => schema.Table.Replace("audit_entries", "audit_tree", StringComparison.Ordinal);

    public string Checkpoints => schema.Table.Replace("audit_entries", "audit_log_checkpoints", StringComparison.Ordinal);

    public string Cosignatures => schema.Table.Replace("audit_entries", "audit_log_cosignatures", StringComparison.Ordinal);

    /// <summary>Reads hashes for one request or one integration, block by block, each block once.</summary>
    public Reader Read(NpgsqlConnection connection) => new(this, connection);

    public sealed class Reader(LogTree tree, NpgsqlConnection connection)
    {
        private readonly Dictionary<(int Level, long Block), List<byte[]>> _blocks = [];

        /// <summary>The tree hash of leaves [start, end), all of which are in the trail.</summary>
        public async Task<byte[]> RangeHashAsync(long start, long end, CancellationToken ct)
        {
            var n = end - start;
            if (n == 0)
            {
                return LogProofs.EmptyRoot;
            }

            if (BitOperations.IsPow2(n) && start % n == 0)
            {
                return await CompleteAsync(BitOperations.Log2((ulong)n), start / n, ct);
            }

            var k = LogProofs.Split(n);
            var left = await RangeHashAsync(start, start + k, ct);
            var right = await RangeHashAsync(start + k, end, ct);
            return LogProofs.NodeHash(left, right);
        }

        /// <summary>The hash of the complete subtree of 2^level leaves at <paramref name="index"/>, folded from the stored level at or below it.</summary>
        public async Task<byte[]> CompleteAsync(int level, long index, CancellationToken ct)
        {
            var stored = level / Stride * Stride;
            var count = 1L << (level - stored);
            var hashes = new List<byte[]>((int)count);
            for (var i = index * count; i < (index + 1) * count; i++)
            {
                hashes.Add(await StoredAsync(stored, i, ct));
            }

            return LogProofs.Root(hashes);
        }

        /// <summary>A hash kept at a stored level: a leaf hash (level 0, from the entry) or a stored subtree.</summary>
        private async Task<byte[]> StoredAsync(int level, long index, CancellationToken ct)
        {
            var key = (level, index / Block);
            if (!_blocks.TryGetValue(key, out var block) || index % Block >= block.Count)
            {
                block = await LoadAsync(level, index / Block, ct);
                _blocks[key] = block;
            }

            return index % Block < block.Count
                ? block[(int)(index % Block)]
                : throw new MissingLogHashException(level, index);
        }

        /// <summary>
        /// One block of a stored level, as far as it goes without a gap: an entry deleted from the trail ends its block
        /// there, so no hash ever stands in another's place.
        /// </summary>
        private async Task<List<byte[]>> LoadAsync(int level, long block, CancellationToken ct)
        {
            var first = block * Block;
            await using var command = level == 0
                ? new NpgsqlCommand($"select seq - 1, hash from {tree.Table} where seq between @first and @last order by seq", connection)
                : new NpgsqlCommand($"select index, hash from {tree.Nodes} where level = @level and index between @first and @last order by index", connection);
            command.Parameters.AddWithValue("level", (short)level);
            command.Parameters.AddWithValue("first", level == 0 ? first + 1 : first);
            command.Parameters.AddWithValue("last", level == 0 ? first + Block : first + Block - 1);
            var hashes = new List<byte[]>(Block);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct) && reader.GetInt64(0) == first + hashes.Count)
            {
                hashes.Add(level == 0 ? LeafOf(reader.GetString(1)) : (byte[])reader[1]);
            }

            return hashes;
        }

        /// <summary>The tree's right edge at <paramref name="size"/> leaves, from the stored subtrees and the entries after them.</summary>
        public async Task<LogFrontier> FrontierAsync(long size, CancellationToken ct)
        {
            var subtrees = new List<(int, byte[])>();
            long start = 0;
            for (var level = 62; level >= 0; level--)
            {
                if ((size & (1L << level)) != 0)
                {
                    subtrees.Add((level, await CompleteAsync(level, start >> level, ct)));
                    start += 1L << level;
                }
            }

            return new LogFrontier(size, subtrees);
        }
    }

    private string Table => schema.Table;

    /// <summary>An entry's leaf: its chain hash as 32 bytes. A hash altered into something else is hashed as its text, so it matches nothing.</summary>
    public static byte[] LeafOf(string entryHash) =>
        LogProofs.LeafHash(entryHash.Length == 64 && entryHash.All(char.IsAsciiHexDigit)
            ? Convert.FromHexString(entryHash)
            : System.Text.Encoding.UTF8.GetBytes(entryHash));
}

/// <summary>A hash the tree needs is not stored: an entry or node was deleted, or the tree is not integrated that far.</summary>
public sealed class MissingLogHashException(int level, long index)
    : Exception($"The audit log has no hash at level {level}, index {index}: deleted, or not integrated that far.");
