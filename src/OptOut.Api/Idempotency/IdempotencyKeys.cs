using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace OptOut.Idempotency;

public static class IdempotencyKeys
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    public const int MaxLength = 200;

    public static string DocumentId(string callerSubject, string key) => $"{callerSubject}\n{key}";

    public static string HashOf<T>(string path, T request) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(path + "\n" + JsonSerializer.Serialize(request))));

    public static ProblemHttpResult? Validate(string? key) => key switch
    {
        null => null,
        { Length: 0 or > MaxLength } => Problems.Of(Problems.InvalidHeader, $"An Idempotency-Key is 1 to {MaxLength} characters."),
        _ when key.Any(c => c < 0x21 || c > 0x7e) => Problems.Of(Problems.InvalidHeader, "An Idempotency-Key uses printable ASCII characters only."),
        _ => null,
    };

    public static ProblemHttpResult KeyReused() => Problems.Of(Problems.IdempotencyKeyReused, "This Idempotency-Key was already used for a different request. Use a new key for a new request.");
}
