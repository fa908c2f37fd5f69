using Microsoft.Extensions.Options;
using OptOut.Audit.Transparency;
using OptOut.Contracts.Audit;

namespace OptOut.UnitTests.Audit;

/// <summary>Checkpoints travel as C2SP signed notes; a verifier takes only a valid signature by the key it trusts.</summary>
public class SignedNoteTests
{
    private static readonly LogKey Key = new(Options.Create(new TransparencyLogOptions { Origin = "example.nhs.uk/optout/audit" }));

    [Fact]
    public void A_signed_checkpoint_is_the_C2SP_text_and_verifies_with_the_published_verifier_key()
    {
        var checkpoint = new LogCheckpoint(Key.Origin, 8, Convert.FromHexString("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"));
        var note = Key.Sign(checkpoint);

        Assert.StartsWith("example.nhs.uk/optout/audit\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n\u2014 example.nhs.uk/optout/audit ", note, StringComparison.Ordinal);
        var (name, publicKey) = SignedNote.ParseVerifierKey(Key.VerifierKey)!.Value;
        var text = SignedNote.Verify(note, name, publicKey);
        Assert.Equal(checkpoint.Body, text);
        Assert.Equal(checkpoint.Root, LogCheckpoint.Parse(text!)!.Root);
    }

    [Fact]
    public void A_changed_size_root_or_signature_or_another_key_fails()
    {
        var note = Key.Sign(new LogCheckpoint(Key.Origin, 8, new byte[32]));
        var (name, publicKey) = SignedNote.ParseVerifierKey(Key.VerifierKey)!.Value;
        using var other = new LogKey(Options.Create(new TransparencyLogOptions { Origin = Key.Origin }));

        Assert.Null(SignedNote.Verify(note.Replace("\n8\n", "\n9\n", StringComparison.Ordinal), name, publicKey));
        Assert.Null(SignedNote.Verify(other.Sign(new LogCheckpoint(Key.Origin, 8, new byte[32])), name, publicKey));
        var signature = note[(note.LastIndexOf(' ') + 1)..^1];
        var forged = Convert.FromBase64String(signature);
        forged[^1] ^= 1;
        Assert.Null(SignedNote.Verify(note.Replace(signature, Convert.ToBase64String(forged), StringComparison.Ordinal), name, publicKey));
        Assert.Null(SignedNote.Verify("not a note", name, publicKey));
        Assert.Null(SignedNote.ParseVerifierKey(Key.VerifierKey.Replace("+", "+0", StringComparison.Ordinal)));
    }
}
