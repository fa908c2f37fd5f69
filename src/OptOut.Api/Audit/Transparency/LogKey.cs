using System.Text;
using Microsoft.Extensions.Options;
using NSec.Cryptography;
using OptOut.Contracts.Audit;

namespace OptOut.Audit.Transparency;

public sealed class TransparencyLogOptions
{
    /// <summary>The log's name in its checkpoints and signatures (C2SP: a schema-less URL that names this log alone).</summary>
    public string Origin { get; set; } = "localhost/optout/audit";

    /// <summary>Ed25519 private key (PKCS#8 PEM) that signs checkpoints. Without one, a key is made for this process only.</summary>
    public string? SigningKeyPem { get; set; }

    /// <summary>How often the sequencer integrates new entries and signs a checkpoint when the log has grown.</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How many patient map nodes the sequencer keeps in memory (about 250 bytes each, two per patient): with the whole
    /// current map held, a merge reads nothing from the store. A bigger map keeps only its upper levels.
    /// </summary>
    public int MapCacheNodes { get; set; } = 4_000_000;

    /// <summary>
    /// How many entries the patient map merges in one step. The next checkpoint signs each step, so a long catch-up (a
    /// map built over a log signed before it, or a sequencer far behind) keeps its progress if its leader stops.
    /// </summary>
    public int MapStepEntries { get; set; } = 50_000;

    /// <summary>The witnesses asked to cosign checkpoints (none by default; `infra/optout run` starts one).</summary>
    public List<WitnessOptions> Witnesses { get; set; } = [];

    /// <summary>How often the latest checkpoint is offered to the witnesses.</summary>
    public TimeSpan WitnessInterval { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>The log's Ed25519 key: signs checkpoints as C2SP signed notes; its verifier key is public.</summary>
public sealed class LogKey : IDisposable
{
    private readonly Key _key;

    public LogKey(IOptions<TransparencyLogOptions> options)
    {
        Origin = options.Value.Origin;
        _key = Ed25519Keys.Load(options.Value.SigningKeyPem);
        PublicKey = Ed25519Keys.PublicKeyOf(_key);
    }

    public string Origin { get; }

    public byte[] PublicKey { get; }

    /// <summary>name+id+key, as witnesses and verifiers take it (Go's sumdb/note format).</summary>
    public string VerifierKey => SignedNote.VerifierKey(Origin, PublicKey);

    /// <summary>The checkpoint as a signed note: its body, a blank line, and this log's signature line.</summary>
    public string Sign(LogCheckpoint checkpoint)
    {
        var body = checkpoint.Body;
        var signature = SignatureAlgorithm.Ed25519.Sign(_key, Encoding.UTF8.GetBytes(body));
        return body + "\n" + SignedNote.SignatureLine(Origin, PublicKey, signature);
    }

    public void Dispose() => _key.Dispose();
}
