namespace OptOut.Contracts.V1;

/// <summary>
/// A signed tree head over audit entries <see cref="FromSequence"/> to <see cref="ToSequence"/>: keep these
/// outside OptOut's database; a later audit export must reproduce <see cref="MerkleRoot"/> and <see cref="HeadHash"/>.
/// <see cref="Signature"/> is ECDSA P-256 with SHA-256 over the text
/// "optout-audit-checkpoint\n{from}\n{to}\n{merkleRoot}\n{headHash}\n{signedAt as yyyy-MM-ddTHH:mm:ss.ffffffZ}".
/// </summary>
public sealed record AuditCheckpointSigned(
    long FromSequence,
    long ToSequence,
    string MerkleRoot,
    string HeadHash,
    DateTimeOffset SignedAt,
    string Signature,
    string PublicKeyPem);
