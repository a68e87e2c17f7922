using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace DirectoryConnector.TestSupport.Ldap;

/// <summary>A real server started for tests (slapd, samba): output kept for failure messages, killed with its children on dispose.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private ServerProcess(Process process)
    {
        _process = process;
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
    }

    public static ServerProcess Start(string executable, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(executable) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return new ServerProcess(Process.Start(start) ?? throw new InvalidOperationException($"{executable} did not start"));
    }

    /// <summary>Throws with the server's output when it has exited (it should run until disposed).</summary>
    public void ThrowIfExited()
    {
        if (_process.HasExited)
        {
            throw new InvalidOperationException($"{_process.StartInfo.FileName} exited with {_process.ExitCode}: {Log}");
        }
    }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Stops the server as a service manager does (SIGTERM) and waits until it has exited; SIGKILL after
    /// <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("SIGTERM is POSIX.");
        }

        if (!_process.HasExited && Kill(_process.Id, Sigterm) != 0)
        {
            throw new InvalidOperationException($"kill -TERM {_process.Id} failed with errno {Marshal.GetLastPInvokeError()}");
        }

        try
        {
            await _process.WaitForExitAsync().WaitAsync(grace);
        }
        catch (TimeoutException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }

        _process.Dispose();
    }

    /// <summary>Runs a tool to completion; throws with its output when it fails.</summary>
    /// <param name="environment">Variables set for the tool only (e.g. LDAPTLS_CACERT for the OpenLDAP tools).</param>
    public static async Task RunToolAsync(string executable, IEnumerable<string> arguments, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(executable) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{executable} did not start");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(executable)} failed with {process.ExitCode}: {await error}{await output}");
        }
    }

    public static string FindExecutable(string name)
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/sbin").Append("/usr/bin")
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);
        return path ?? throw new InvalidOperationException($"{name} is not installed: run tests/run.sh, which installs the Debian packages the tests need");
    }

    /// <summary>A loopback port nothing listens on right now.</summary>
    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private const int Sigterm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private void Append(string? line)
    {
        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}
