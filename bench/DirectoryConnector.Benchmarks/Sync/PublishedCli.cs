using System.Diagnostics;
using DirectoryConnector.TestSupport;

namespace DirectoryConnector.Benchmarks.Sync;

/// <summary>
/// The executable users run: build/publish.sh, the Dockerfile's own publish (Native AOT), for this machine's
/// architecture, published once per benchmark run. The benchmark starts it as the image's entrypoint does.
/// </summary>
internal static class PublishedCli
{
    /// <summary>Publishes and returns the path of the <c>directory-connector</c> executable.</summary>
    public static async Task<string> PublishAsync()
    {
        var output = Path.Combine(AppContext.BaseDirectory, "published-cli");
        // A clean folder: publish copies a file only when it is newer, so a previous publish's files would stay.
        if (Directory.Exists(output))
        {
            Directory.Delete(output, recursive: true);
        }

        var start = new ProcessStartInfo("bash") { WorkingDirectory = Repository.Root, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(Repository.Root, "build", "publish.sh"));
        start.ArgumentList.Add(output);
        Console.Error.WriteLine($"Publishing the CLI as the Dockerfile does: bash build/publish.sh {output}");
        using var publish = Process.Start(start)!;
        await publish.WaitForExitAsync();
        if (publish.ExitCode != 0)
        {
            throw new InvalidOperationException($"build/publish.sh exited with {publish.ExitCode}.");
        }

        return Path.Combine(output, "directory-connector");
    }
}
