using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Math.EC.Rfc8032;

namespace OptOut.Verifier;

/// <summary>A checkpoint whose signature has been checked: the log's origin, its size and its root.</summary>
/// <summary>A checkpoint: origin, size, root, and from its "map" line when it has one, the patient map's size and root.</summary>
public sealed record Checkpoint(string Origin, long Size, byte[] Root, long MapSize, byte[]? MapRoot);

/// <summary>
/// C2SP signed notes and tlog checkpoints, read from their text: "origin\nsize\nbase64(root)\n", a blank line, then
/// "— name base64(key id ‖ Ed25519 signature)" lines; a verifier key is "name+hex(key id)+base64(0x01 ‖ public key)".
/// </summary>
public static class Note
{
    /// <summary>The checkpoint a note carries if the key signed it; otherwise why not.</summary>
    public static (Checkpoint? Checkpoint, string? Problem) Open(string note, string verifierKey)
    {
        var key = verifierKey.Trim().Split('+', 3);
        byte[] keyBytes;
        try
        {
            keyBytes = Convert.FromBase64String(key.Length == 3 ? key[2] : "");
        }
        catch (FormatException)
        {
            return (null, "the verifier key is not name+id+key");
        }

        if (key.Length != 3 || keyBytes.Length != 33 || keyBytes[0] != 0x01 || !uint.TryParse(key[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var id)
            || id != KeyId(key[0], keyBytes))
        {
            return (null, "the verifier key is not an Ed25519 note key (name+id+key with a matching id)");
        }

        var split = note.IndexOf("\n\n", StringComparison.Ordinal);
        if (split < 0 || !note.EndsWith('\n'))
        {
            return (null, "the checkpoint is not a signed note");
        }

        var text = note[..(split + 1)];
        var signed = note[(split + 2)..^1].Split('\n').Any(line => SignedBy(line, key[0], id, keyBytes[1..], text));
        if (!signed)
        {
            return (null, $"the checkpoint carries no valid signature by {key[0]}");
        }

        var lines = text.Split('\n');
        if (lines.Length < 4 || lines[0] != key[0] || !long.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
        {
            return (null, "the signed text is not a checkpoint of this log");
        }

        try
        {
            var root = Convert.FromBase64String(lines[2]);
            // "map <entries> <base64 root>": the patient map over the log's first so many entries.
            var maps = lines.Skip(3).Where(l => l.StartsWith("map ", StringComparison.Ordinal)).Select(l => l.Split(' ')).ToList();
            if (root.Length != 32)
            {
                return (null, "the checkpoint's root is not a SHA-256 hash");
            }

            if (maps.Count == 0)
            {
                return (new Checkpoint(lines[0], size, root, 0, null), null);
            }

            var mapRoot = maps.Count == 1 && maps[0].Length == 3 ? Convert.FromBase64String(maps[0][2]) : [];
            return mapRoot.Length == 32 && long.TryParse(maps[0][1], NumberStyles.None, CultureInfo.InvariantCulture, out var mapSize) && mapSize <= size
                ? (new Checkpoint(lines[0], size, root, mapSize, mapRoot), null)
                : (null, "the checkpoint's map line is not a size and a SHA-256 hash");
        }
        catch (FormatException)
        {
            return (null, "the checkpoint's root is not base64");
        }
    }

    /// <summary>
    /// Whether the note carries a witness's valid C2SP cosignature (type 0x04: key id, time, Ed25519 over
    /// "cosignature/v1\ntime T\n" and the checkpoint's text) by the witness of this verifier key.
    /// </summary>
    public static bool CosignedBy(string note, string witnessKey)
    {
        var key = witnessKey.Trim().Split('+', 3);
        var split = note.IndexOf("\n\n", StringComparison.Ordinal);
        if (key.Length != 3 || split < 0)
        {
            return false;
        }

        try
        {
            var typed = Convert.FromBase64String(key[2]);
            if (typed.Length != 33 || typed[0] != 0x04 || !uint.TryParse(key[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var id) || id != KeyId(key[0], typed))
            {
                return false;
            }

            var text = note[..(split + 1)];
            var prefix = "\u2014 " + key[0] + " ";
            foreach (var line in note[(split + 2)..].Split('\n').Where(l => l.StartsWith(prefix, StringComparison.Ordinal)))
            {
                var raw = Convert.FromBase64String(line[prefix.Length..]);
                if (raw.Length != 76 || BinaryPrimitives.ReadUInt32BigEndian(raw) != id)
                {
                    continue;
                }

                var message = Encoding.UTF8.GetBytes($"cosignature/v1\ntime {BinaryPrimitives.ReadUInt64BigEndian(raw.AsSpan(4))}\n{text}");
                if (Ed25519.Verify(raw, 12, typed, 1, message, 0, message.Length))
                {
                    return true;
                }
            }
        }
        catch (FormatException)
        {
            return false;
        }

        return false;
    }

    private static bool SignedBy(string line, string name, uint id, byte[] publicKey, string text)
    {
        var prefix = "\u2014 " + name + " ";
        if (!line.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        byte[] raw;
        try
        {
            raw = Convert.FromBase64String(line[prefix.Length..]);
        }
        catch (FormatException)
        {
            return false;
        }

        var message = Encoding.UTF8.GetBytes(text);
        return raw.Length == 4 + Ed25519.SignatureSize && BinaryPrimitives.ReadUInt32BigEndian(raw) == id
               && Ed25519.Verify(raw, 4, publicKey, 0, message, 0, message.Length);
    }

    private static uint KeyId(string name, byte[] typedKey) =>
        BinaryPrimitives.ReadUInt32BigEndian(SHA256.HashData([.. Encoding.UTF8.GetBytes(name + "\n"), .. typedKey]));
}
