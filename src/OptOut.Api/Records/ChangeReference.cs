using System.Security.Cryptography;

namespace OptOut.Records;

/// <summary>
/// A change's reference, for a person to read aloud or write on a form: eight characters of Crockford's base 32 (no I,
/// L, O or U, and a misread O, I or L is taken as 0 or 1), in two groups, "7KQ4-M2XD". It is derived from the change's
/// decision id, which every event of the change carries, so it is kept with the change without another column, is the
/// same on every replay, and any event of the change names it.
/// </summary>
public static class ChangeReference
{
    public const string Header = "OptOut-Reference";

    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    public static string For(Guid decisionId)
    {
        Span<byte> bytes = stackalloc byte[16];
        decisionId.TryWriteBytes(bytes);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(bytes, hash);
        // 40 bits, five to a character.
        var bits = ((ulong)hash[0] << 32) | ((ulong)hash[1] << 24) | ((ulong)hash[2] << 16) | ((ulong)hash[3] << 8) | hash[4];
        Span<char> text = stackalloc char[9];
        for (int i = 0, c = 0; i < 9; i++)
        {
            text[i] = i == 4 ? '-' : Alphabet[(int)((bits >> (35 - (5 * c++))) & 31)];
        }

        return new string(text);
    }

    /// <summary>A reference as typed or read aloud (any case, with or without the hyphen, O for 0, I or L for 1), written as <see cref="For"/> writes it.</summary>
    public static bool TryParse(string? text, out string reference)
    {
        reference = "";
        var symbols = (text ?? "").Replace("-", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant()
            .Replace('O', '0').Replace('I', '1').Replace('L', '1');
        if (symbols.Length != 8 || !symbols.All(c => Alphabet.Contains(c, StringComparison.Ordinal)))
        {
            return false;
        }

        reference = symbols[..4] + "-" + symbols[4..];
        return true;
    }
}
