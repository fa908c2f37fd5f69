using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace OptOut.Contracts.Audit;

/// <summary>
/// A checkpoint of the audit log in the C2SP tlog-checkpoint form: the log's origin, its size and its root hash, one per
/// line. It travels as a C2SP signed note (<see cref="SignedNote"/>) so a witness or a patient can check who signed it.
/// One extension line, "map", a size and a base64 hash, commits to the <see cref="PatientMap"/> over the log's first
/// that many entries (the map trails the tree by the time it takes to merge, so it may cover fewer); the checkpoints
/// signed before the map existed, or while the first map was being built, have none.
/// </summary>
public sealed record LogCheckpoint(string Origin, long Size, byte[] Root, MapCommitment? Map = null)
{
    private const string MapLine = "map ";

    public string Body => $"{Origin}\n{Size.ToString(CultureInfo.InvariantCulture)}\n{Convert.ToBase64String(Root)}\n" +
                          (Map is null ? "" : $"{MapLine}{Map.Size.ToString(CultureInfo.InvariantCulture)} {Convert.ToBase64String(Map.Root)}\n");

    /// <summary>Reads a checkpoint's body; null when it is not one (wrong line count, size or hash).</summary>
    public static LogCheckpoint? Parse(string body)
    {
        var lines = body.Split('\n');
        // Origin, size, root, optional extension lines, and the empty string after the final newline.
        if (lines.Length < 4 || lines[^1].Length != 0 || lines[0].Length == 0
            || !long.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size)
            || lines[1] != size.ToString(CultureInfo.InvariantCulture))
        {
            return null;
        }

        var root = new byte[LogProofs.HashSize];
        if (!Convert.TryFromBase64String(lines[2], root, out var written) || written != LogProofs.HashSize)
        {
            return null;
        }

        // Other extension lines are the business of whoever added them; a map line is this log's and must be whole.
        var maps = lines[3..^1].Where(l => l.StartsWith(MapLine, StringComparison.Ordinal)).Select(l => l[MapLine.Length..].Split(' ')).ToList();
        if (maps.Count == 0)
        {
            return new LogCheckpoint(lines[0], size, root);
        }

        var map = new byte[LogProofs.HashSize];
        return maps.Count == 1 && maps[0].Length == 2
               && long.TryParse(maps[0][0], NumberStyles.None, CultureInfo.InvariantCulture, out var mapSize) && maps[0][0] == mapSize.ToString(CultureInfo.InvariantCulture) && mapSize <= size
               && Convert.TryFromBase64String(maps[0][1], map, out written) && written == LogProofs.HashSize
            ? new LogCheckpoint(lines[0], size, root, new MapCommitment(mapSize, map))
            : null;
    }
}

/// <summary>The patient map a checkpoint signs: its root over the log's first <see cref="Size"/> entries.</summary>
public sealed record MapCommitment(long Size, byte[] Root);

/// <summary>
/// A C2SP signed note: text, a blank line, then one line per signature, "— name base64(key id ‖ signature)". The key id
/// is the first four bytes of SHA-256(name ‖ "\n" ‖ 0x01 ‖ Ed25519 public key), so a verifier picks the lines of the
/// keys it knows and ignores the others (a witness's cosignature among them).
/// </summary>
public static class SignedNote
{
    public const byte Ed25519Type = 0x01;
    private const string Dash = "\u2014 ";

    public static uint KeyId(string name, ReadOnlySpan<byte> publicKey)
    {
        var material = (byte[])[.. Encoding.UTF8.GetBytes(name + "\n"), Ed25519Type, .. publicKey];
        return BinaryPrimitives.ReadUInt32BigEndian(SHA256.HashData(material));
    }

    /// <summary>The verifier key as Go's sumdb/note writes it: name+hex(key id)+base64(0x01 ‖ public key).</summary>
    public static string VerifierKey(string name, ReadOnlySpan<byte> publicKey) =>
        $"{name}+{KeyId(name, publicKey):x8}+{Convert.ToBase64String([Ed25519Type, .. publicKey])}";

    /// <summary>Reads a verifier key; null when it is malformed or its id does not match its name and key.</summary>
    public static (string Name, byte[] PublicKey)? ParseVerifierKey(string verifierKey)
    {
        var parts = verifierKey.Split('+', 3); // the key's base64 may hold '+' itself
        if (parts.Length != 3 || parts[0].Length == 0 || !uint.TryParse(parts[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var id))
        {
            return null;
        }

        var raw = new byte[33];
        if (!Convert.TryFromBase64String(parts[2], raw, out var written) || written != 33 || raw[0] != Ed25519Type)
        {
            return null;
        }

        var key = raw[1..];
        return KeyId(parts[0], key) == id ? (parts[0], key) : null;
    }

    /// <summary>The signature line for <paramref name="text"/> by the key named <paramref name="name"/>.</summary>
    public static string SignatureLine(string name, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> signature)
    {
        Span<byte> id = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(id, KeyId(name, publicKey));
        return $"{Dash}{name} {Convert.ToBase64String([.. id, .. signature])}\n";
    }

    /// <summary>Splits a note into its text and its signature lines (name, key id, signature); null when it is not a note.</summary>
    public static (string Text, IReadOnlyList<(string Name, uint KeyId, byte[] Signature)> Signatures)? Parse(string note)
    {
        var split = note.LastIndexOf("\n\n", StringComparison.Ordinal);
        if (split < 0 || !note.EndsWith('\n'))
        {
            return null;
        }

        var text = note[..(split + 1)];
        var signatures = new List<(string, uint, byte[])>();
        foreach (var line in note[(split + 2)..^1].Split('\n'))
        {
            var space = line.LastIndexOf(' ');
            if (!line.StartsWith(Dash, StringComparison.Ordinal) || space <= Dash.Length)
            {
                return null;
            }

            byte[] raw;
            try
            {
                raw = Convert.FromBase64String(line[(space + 1)..]);
            }
            catch (FormatException)
            {
                return null;
            }

            if (raw.Length < 5)
            {
                return null;
            }

            signatures.Add((line[Dash.Length..space], BinaryPrimitives.ReadUInt32BigEndian(raw), raw[4..]));
        }

        return signatures.Count == 0 ? null : (text, signatures);
    }

    /// <summary>The note's text if a line carries a valid Ed25519 signature by this key; otherwise null.</summary>
    public static string? Verify(string note, string name, byte[] publicKey)
    {
        if (Parse(note) is not { } parsed)
        {
            return null;
        }

        var id = KeyId(name, publicKey);
        var key = NSec.Cryptography.PublicKey.Import(NSec.Cryptography.SignatureAlgorithm.Ed25519, publicKey, NSec.Cryptography.KeyBlobFormat.RawPublicKey);
        var text = Encoding.UTF8.GetBytes(parsed.Text);
        return parsed.Signatures.Any(s => s.Name == name && s.KeyId == id && s.Signature.Length == 64
                                          && NSec.Cryptography.SignatureAlgorithm.Ed25519.Verify(key, text, s.Signature))
            ? parsed.Text
            : null;
    }
}
