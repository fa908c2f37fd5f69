using System.Text.Json;

namespace OptOut.Witness;

/// <summary>The last checkpoint this witness cosigned for a log: its size, its root and the note itself.</summary>
public sealed record Witnessed(long Size, byte[] Root, string Note);

/// <summary>
/// What the witness has cosigned, one file per log in its state folder, each replaced whole (written beside, then
/// renamed) so a crash leaves the old state or the new, never half of one. Forks are kept as evidence beside them.
/// </summary>
public sealed class WitnessState(string folder) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Runs <paramref name="decide"/> on a log's state with no other request for any log in between.</summary>
    public async Task<T> WithAsync<T>(string origin, Func<Witnessed?, Task<(T Result, Witnessed? Next)>> decide)
    {
        await _gate.WaitAsync();
        try
        {
            var path = PathOf(origin);
            var current = File.Exists(path) ? JsonSerializer.Deserialize<Witnessed>(await File.ReadAllTextAsync(path)) : null;
            var (result, next) = await decide(current);
            if (next is not null)
            {
                Directory.CreateDirectory(folder);
                var temporary = path + ".new";
                await File.WriteAllTextAsync(temporary, JsonSerializer.Serialize(next));
                File.Move(temporary, path, overwrite: true);
            }

            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Keeps the two signed checkpoints that prove a fork: the log signed both, and one does not extend the other. One
    /// pair proves it, and a forked log offers again every round (a file a second, once, for hours): so the first fork
    /// from each cosigned checkpoint is kept, and later ones only logged.
    /// </summary>
    public async Task<string> KeepForkAsync(string origin, string cosigned, string offered)
    {
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"fork-{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(origin)))[..16]}-" +
                                        $"{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(cosigned)))[..16]}.txt");
        try
        {
            await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
            await using var writer = new StreamWriter(file);
            await writer.WriteAsync($"cosigned:\n{cosigned}\noffered:\n{offered}");
        }
        catch (IOException) when (File.Exists(path))
        {
            // The fork from this checkpoint is already on file.
        }

        return path;
    }

    public void Dispose() => _gate.Dispose();

    private string PathOf(string origin) =>
        Path.Combine(folder, Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(origin)))[..32] + ".json");
}
