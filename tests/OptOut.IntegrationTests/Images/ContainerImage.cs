using System.Diagnostics;
using System.Text.Json;
using OptOut.IntegrationTests.Infrastructure;

namespace OptOut.IntegrationTests.Images;

/// <summary>
/// An image as `infra/optout images` writes it (an OCI image layout in a tar), unpacked layer by layer into a root
/// filesystem and run as a container runtime runs it, with no engine: its own mount and process namespaces (a /proc of
/// its own), that root, the image's user, working directory, entrypoint and environment. The network is the host's, as
/// with `--network host`, so it reaches this machine's PostgreSQL and RabbitMQ.
/// </summary>
public sealed class ContainerImage : IDisposable
{
    private readonly DirectoryInfo _directory;

    private ContainerImage(DirectoryInfo directory, JsonElement config)
    {
        _directory = directory;
        Config = config;
    }

    /// <summary>The image's run configuration (the config blob's "config"): User, Entrypoint, Env, ExposedPorts...</summary>
    public JsonElement Config { get; }

    private string RootFs => Path.Combine(_directory.FullName, "rootfs");

    public static async Task<ContainerImage> UnpackAsync(string tarball)
    {
        var directory = Directory.CreateTempSubdirectory("optout-image-");
        try
        {
            return await UnpackAsync(tarball, directory);
        }
        catch
        {
            // A half-unpacked root filesystem is 100 MB left in /tmp: one left by a run that found the disk full
            // kept it full for the next.
            directory.Delete(recursive: true);
            throw;
        }
    }

    private static async Task<ContainerImage> UnpackAsync(string tarball, DirectoryInfo directory)
    {
        var layout = Directory.CreateDirectory(Path.Combine(directory.FullName, "layout")).FullName;
        await Command.RunAsync("tar", "-xf", tarball, "-C", layout);
        JsonElement Blob(string digest) => JsonDocument.Parse(File.ReadAllBytes(Path.Combine(layout, "blobs", "sha256", digest["sha256:".Length..]))).RootElement;

        var index = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(layout, "index.json"))).RootElement;
        var manifest = Blob(index.GetProperty("manifests")[0].GetProperty("digest").GetString()!);
        var config = Blob(manifest.GetProperty("config").GetProperty("digest").GetString()!);
        var rootfs = Directory.CreateDirectory(Path.Combine(directory.FullName, "rootfs")).FullName;
        foreach (var layer in manifest.GetProperty("layers").EnumerateArray())
        {
            // In order, each over the one below (these images delete nothing, so there are no whiteouts to apply).
            var digest = layer.GetProperty("digest").GetString()!;
            await Command.RunAsync("tar", "-xzf", Path.Combine(layout, "blobs", "sha256", digest["sha256:".Length..]), "-C", rootfs);
        }

        return new ContainerImage(directory, config.GetProperty("config"));
    }

    /// <summary>How to start it: the image's environment under <paramref name="environment"/>, nothing of this process's.</summary>
    public ProcessStartInfo Start(IReadOnlyDictionary<string, string> environment)
    {
        var user = Config.GetProperty("User").GetString()!;
        var start = new ProcessStartInfo("unshare",
        [
            "--mount", "--pid", "--fork", $"--mount-proc={RootFs}/proc",
            "chroot", $"--userspec={user}:{user}", RootFs,
            "/usr/bin/env", $"--chdir={Config.GetProperty("WorkingDir").GetString()}",
            .. Config.GetProperty("Entrypoint").EnumerateArray().Select(a => a.GetString()!),
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment.Clear();
        foreach (var variable in Config.GetProperty("Env").EnumerateArray().Select(v => v.GetString()!))
        {
            var (name, value) = (variable[..variable.IndexOf('=', StringComparison.Ordinal)], variable[(variable.IndexOf('=', StringComparison.Ordinal) + 1)..]);
            start.Environment[name] = value;
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return start;
    }

    public void Dispose() => _directory.Delete(recursive: true);
}
