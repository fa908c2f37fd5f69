using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace OptOut.Contracts.Audit;

/// <summary>
/// A witness's C2SP tlog-cosignature of a checkpoint: Ed25519 over "cosignature/v1\ntime T\n" and the checkpoint's
/// body, on a note signature line whose key id is made with type 0x04 and whose bytes are the key id, the time
/// (seconds since 1970, big-endian) and the signature. A checkpoint published with it shows that a witness checked it
/// extends every checkpoint that witness saw before.
/// </summary>
public static class Cosignature
{
    public const byte Type = 0x04;

    public static uint KeyId(string name, ReadOnlySpan<byte> publicKey) =>
        BinaryPrimitives.ReadUInt32BigEndian(SHA256.HashData([.. Encoding.UTF8.GetBytes(name + "\n"), Type, .. publicKey]));

    /// <summary>name+hex(key id)+base64(0x04 ‖ key): how a log or a client is told of a witness.</summary>
    public static string VerifierKey(string name, ReadOnlySpan<byte> publicKey) =>
        $"{name}+{KeyId(name, publicKey):x8}+{Convert.ToBase64String([Type, .. publicKey])}";

    public static byte[] Message(string checkpointBody, ulong time) => Encoding.UTF8.GetBytes($"cosignature/v1\ntime {time}\n{checkpointBody}");

    public static string Line(string name, ReadOnlySpan<byte> publicKey, ulong time, ReadOnlySpan<byte> signature)
    {
        var raw = new byte[12 + signature.Length];
        BinaryPrimitives.WriteUInt32BigEndian(raw, KeyId(name, publicKey));
        BinaryPrimitives.WriteUInt64BigEndian(raw.AsSpan(4), time);
        signature.CopyTo(raw.AsSpan(12));
        return $"\u2014 {name} {Convert.ToBase64String(raw)}\n";
    }

    /// <summary>The time a valid cosignature of <paramref name="checkpointBody"/> by this witness carries; null if the line is not one.</summary>
    public static DateTimeOffset? Verify(string line, string checkpointBody, string witnessVerifierKey)
    {
        var parts = witnessVerifierKey.Trim().Split('+', 3);
        var prefix = $"\u2014 {parts[0]} ";
        if (parts.Length != 3 || !line.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            var key = Convert.FromBase64String(parts[2]);
            var raw = Convert.FromBase64String(line[prefix.Length..].TrimEnd('\n'));
            if (key.Length != 33 || key[0] != Type || raw.Length != 76 || BinaryPrimitives.ReadUInt32BigEndian(raw) != KeyId(parts[0], key.AsSpan(1)))
            {
                return null;
            }

            var time = BinaryPrimitives.ReadUInt64BigEndian(raw.AsSpan(4));
            var publicKey = NSec.Cryptography.PublicKey.Import(NSec.Cryptography.SignatureAlgorithm.Ed25519, key.AsSpan(1), NSec.Cryptography.KeyBlobFormat.RawPublicKey);
            return time <= long.MaxValue && NSec.Cryptography.SignatureAlgorithm.Ed25519.Verify(publicKey, Message(checkpointBody, time), raw.AsSpan(12))
                ? DateTimeOffset.FromUnixTimeSeconds((long)time)
                : null;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }
}
