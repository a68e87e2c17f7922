using System.Diagnostics;
using DirectoryConnector.Engine.Bitwarden;
using Microsoft.Extensions.DependencyInjection;

namespace DirectoryConnector.Cli.Tests.EndToEnd;

internal sealed record CliResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}

/// <summary>
/// Runs the real root command with captured stdout/stderr: in-process, or, when DIRECTORY_CONNECTOR_EXECUTABLE names
/// another build (<see cref="CliProcess.ExecutableVariable"/>), as that executable in a process of its own, so every
/// test written against the command line also proves e.g. the Native AOT publish.
/// </summary>
internal static class CliRunner
{
    public static Task<CliResult> RunAsync(params string[] args) => RunWithInputAsync(null, args);

    /// <summary>Runs with <paramref name="input"/> (UTF-8) as standard input; none when null.</summary>
    public static async Task<CliResult> RunWithInputAsync(string? input, params string[] args)
    {
        if (CliProcess.IsOverridden)
        {
            return await RunProcessAsync([.. args, "--log-level", "Error"], input);
        }

        var output = new StringWriter();
        var error = new StringWriter();
        var root = CliApplication.CreateRootCommand(
            services => services.Configure<BitwardenClientOptions>(o =>
            {
                // Failures come back quickly instead of after production back-off.
                o.MaxAttempts = BitwardenAttempts;
            }),
            standardInput: () => new MemoryStream(System.Text.Encoding.UTF8.GetBytes(input ?? "")));
        var exitCode = await CliApplication.RunAsync(root, [.. args, "--log-level", "Error"], output, error);
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }

    /// <summary>Tries the Bitwarden client makes per request: 1 in-process (failures come back at once), the production
    /// default in a process of its own, which the tests cannot reconfigure; a test that wants a request to fail fails
    /// this many.</summary>
    public static int BitwardenAttempts => CliProcess.IsOverridden ? new BitwardenClientOptions().MaxAttempts : 1;

    /// <summary>The repository root (where the solution is), for the committed samples.</summary>
    public static string RepositoryRoot() => DirectoryConnector.TestSupport.Repository.Root;

    /// <summary>The executable in the tests' working directory and environment; stdout and stderr byte for byte.</summary>
    private static async Task<CliResult> RunProcessAsync(string[] args, string? input)
    {
        var start = new ProcessStartInfo(CliProcess.BuiltExecutable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Environment.CurrentDirectory,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(input ?? "");
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{start.FileName} {string.Join(' ', args)} did not exit within 2 minutes");
        }

        return new CliResult(process.ExitCode, await output, await error);
    }
}
