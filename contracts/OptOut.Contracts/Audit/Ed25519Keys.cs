using System.Text;
using NSec.Cryptography;

namespace OptOut.Contracts.Audit;

/// <summary>The Ed25519 keys of the log and its witnesses: from PKCS#8 PEM (as `openssl genpkey -algorithm ed25519` writes it), or made for one process.</summary>
public static class Ed25519Keys
{
    public static Key Load(string? pem) => string.IsNullOrWhiteSpace(pem)
        ? Key.Create(SignatureAlgorithm.Ed25519)
        : Key.Import(SignatureAlgorithm.Ed25519, Encoding.ASCII.GetBytes(pem), KeyBlobFormat.PkixPrivateKeyText);

    public static byte[] PublicKeyOf(Key key) => key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
}
