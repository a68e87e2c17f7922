using DirectoryConnector.Engine.Bitwarden;
using Microsoft.Extensions.DependencyInjection;

namespace DirectoryConnector.Cli.Tests.EndToEnd;

internal sealed record CliResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}

/// <summary>Runs the real root command in-process with captured stdout/stderr.</summary>
internal static class CliRunner
{
    public static async Task<CliResult> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var root = CliApplication.CreateRootCommand(services =>
            services.Configure<BitwardenClientOptions>(o =>
            {
                // Failures come back quickly instead of after production back-off.
                o.MaxAttempts = 1;
            }));
        var exitCode = await CliApplication.RunAsync(root, [.. args, "--log-level", "Error"], output, error);
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }

    /// <summary>The repository root (where the solution is), for the committed samples.</summary>
    public static string RepositoryRoot() => DirectoryConnector.TestSupport.Repository.Root;
}
