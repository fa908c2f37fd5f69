using NSec.Cryptography;
using OptOut.Contracts.Audit;

namespace OptOut.Witness;

/// <summary>The witness's own Ed25519 key, which cosigns checkpoints (<see cref="Cosignature"/>).</summary>
public sealed class Cosigner : IDisposable
{
    private readonly Key _key;

    public Cosigner(string name, string? pem)
    {
        Name = name;
        _key = Ed25519Keys.Load(pem);
        PublicKey = Ed25519Keys.PublicKeyOf(_key);
    }

    public string Name { get; }

    public byte[] PublicKey { get; }

    public string VerifierKey => Cosignature.VerifierKey(Name, PublicKey);

    public string Cosign(LogCheckpoint checkpoint, DateTimeOffset now)
    {
        var time = (ulong)now.ToUnixTimeSeconds();
        return Cosignature.Line(Name, PublicKey, time, SignatureAlgorithm.Ed25519.Sign(_key, Cosignature.Message(checkpoint.Body, time)));
    }

    public void Dispose() => _key.Dispose();
}
