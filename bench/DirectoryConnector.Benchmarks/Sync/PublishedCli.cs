using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using DirectoryConnector.TestSupport;

namespace DirectoryConnector.Benchmarks.Sync;

/// <summary>
/// The executable users run: the Dockerfile's own <c>dotnet publish</c> line (self-contained, ReadyToRun), for this
/// machine's architecture, published once per benchmark run. The benchmark starts it as the image's entrypoint does.
/// </summary>
internal static partial class PublishedCli
{
    /// <summary>Publishes (incrementally) and returns the path of the <c>directory-connector</c> apphost.</summary>
    public static async Task<string> PublishAsync()
    {
        var output = Path.Combine(AppContext.BaseDirectory, "published-cli");
        var rid = RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = Repository.Root, UseShellExecute = false };
        foreach (var argument in (string[])[.. DockerfilePublishArguments(rid), "-o", output, "-v", "q", "-nologo"])
        {
            start.ArgumentList.Add(argument);
        }

        Console.Error.WriteLine($"Publishing the CLI as the Dockerfile does: dotnet {string.Join(' ', start.ArgumentList)}");
        using var publish = Process.Start(start)!;
        await publish.WaitForExitAsync();
        if (publish.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish exited with {publish.ExitCode}.");
        }

        return Path.Combine(output, "directory-connector");
    }

    /// <summary>The arguments of the Dockerfile's <c>dotnet publish</c> line (without its <c>-o /app</c>).</summary>
    private static string[] DockerfilePublishArguments(string rid)
    {
        var dockerfile = File.ReadAllText(Path.Combine(Repository.Root, "Dockerfile"));
        var line = PublishLine().Match(dockerfile);
        if (!line.Success)
        {
            throw new InvalidOperationException("The Dockerfile has no `dotnet publish ... -o /app` line.");
        }

        return [.. line.Groups[1].Value.Replace("\\\n", " ", StringComparison.Ordinal).Replace("\"$rid\"", rid, StringComparison.Ordinal)
            .Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
    }

    [GeneratedRegex(@"dotnet (publish [^&]*?)\s+-o /app", RegexOptions.Singleline)]
    private static partial Regex PublishLine();
}
