using System.Diagnostics;
using System.Text;

namespace DirectoryConnector.Cli.Tests.EndToEnd;

/// <summary>
/// The directory-connector executable as a separate process, as a user or a container runtime starts it: its own
/// environment (KUBECONFIG, HOME), signals, exit code, stdout and stderr.
/// </summary>
internal sealed class CliProcess : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly StringBuilder error = new();

    private CliProcess(Process process)
    {
        this.process = process;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (error) { error.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Names the executable the process tests run instead of the apphost next to them, e.g. a Native AOT publish
    /// (<c>DIRECTORY_CONNECTOR_EXECUTABLE=/tmp/app/directory-connector dotnet test ...</c>), so the same tests prove
    /// every build that ships.</summary>
    public const string ExecutableVariable = "DIRECTORY_CONNECTOR_EXECUTABLE";

    /// <summary>
    /// The executable under test: the path in <see cref="ExecutableVariable"/> when it is set (it must exist), else the
    /// apphost the build copies next to the tests.
    /// </summary>
    public static string BuiltExecutable
    {
        get
        {
            var overridden = Environment.GetEnvironmentVariable(ExecutableVariable);
            if (string.IsNullOrWhiteSpace(overridden))
            {
                return Path.Combine(AppContext.BaseDirectory, "directory-connector");
            }

            var path = Path.GetFullPath(overridden);
            return File.Exists(path) ? path : throw new FileNotFoundException($"{ExecutableVariable} names {path}, which does not exist", path);
        }
    }

    /// <summary>True when <see cref="ExecutableVariable"/> names another build than the apphost next to the tests.</summary>
    public static bool IsOverridden => !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(ExecutableVariable));

    public string Output { get { lock (output) { return output.ToString(); } } }

    public string Error { get { lock (error) { return error.ToString(); } } }

    public bool HasExited => process.HasExited;

    /// <summary>Starts <paramref name="executable"/> with <paramref name="environment"/> applied (null values unset).</summary>
    public static CliProcess Start(string executable, IEnumerable<string> args, IReadOnlyDictionary<string, string?> environment, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        return new CliProcess(Process.Start(start) ?? throw new InvalidOperationException($"could not start {executable}"));
    }

    /// <summary>Sends SIGTERM, as the kubelet does when it stops a pod.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>SIGKILL, as the kubelet does after the grace period or the kernel's OOM killer: no cleanup runs.</summary>
    public void Kill()
    {
        process.Kill(entireProcessTree: true);
        process.WaitForExit();
    }

    /// <summary>Waits for the exit and returns the exit code; null when it did not exit within <paramref name="limit"/>.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            process.WaitForExit(); // flushes the redirected streams
            return process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public override string ToString() => $"--- stdout\n{Output}\n--- stderr\n{Error}";

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        process.Dispose();
    }
}
