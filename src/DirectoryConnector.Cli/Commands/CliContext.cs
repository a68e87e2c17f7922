using System.CommandLine;
using DirectoryConnector.Cli.Manifests;
using DirectoryConnector.Engine;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sync;
using DirectoryConnector.Operator.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace DirectoryConnector.Cli.Commands;

internal static class ExitCodes
{
    public const int Success = 0;
    public const int SyncFailed = 1;
    public const int BadInput = 2;

    /// <summary>Problems the user fixes in their files are bad input; everything else is a failed sync.</summary>
    public static int For(SyncFailedException failure)
        => failure.Reason is SyncFailureReason.InvalidSpec or SyncFailureReason.SecretNotFound ? BadInput : SyncFailed;
}

/// <summary>What every verb shares: the global options and how to build the host that runs it.</summary>
internal sealed class CliContext(Action<IServiceCollection>? configureServices = null)
{
    /// <summary>What the `operator` verb runs with the options its flags built (tests observe the options here).</summary>
    public Func<OperatorOptions, CancellationToken, Task> RunOperator { get; init; } = OperatorHost.RunAsync;

    public Option<LogLevel> LogLevel { get; } = new("--log-level")
    {
        Description = "Minimum level of the logs written to stderr (Trace, Debug, Information, Warning, Error).",
        DefaultValueFactory = _ => Microsoft.Extensions.Logging.LogLevel.Warning,
        // The parser's own error names the .NET type (Microsoft.Extensions.Logging.LogLevel); this one the flag.
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (Enum.GetNames<Microsoft.Extensions.Logging.LogLevel>().FirstOrDefault(n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase)) is { } level)
            {
                return Enum.Parse<Microsoft.Extensions.Logging.LogLevel>(level);
            }

            result.AddError($"--log-level must be one of Trace, Debug, Information, Warning, Error, Critical or None (got \"{text}\").");
            return default;
        },
        Recursive = true,
    };

    /// <summary>Standard input, read for <c>-f -</c> (tests give their own).</summary>
    public Func<Stream> StandardInput { get; init; } = Console.OpenStandardInput;

    public static Option<string[]> CreateFilesOption() => new("--filename", "-f")
    {
        Description = "A manifest file (YAML, several documents allowed) with the DirectorySync and the Secrets and ConfigMaps it references, a directory of them, or - for standard input. Repeat for several files.",
        Required = true,
        AllowMultipleArgumentsPerToken = false,
    };

    public static Option<string?> CreateNameOption() => new("--name")
    {
        Description = "Which DirectorySync to run when the files define several.",
    };

    /// <summary>The services a verb runs with (DI and logging; logs go to stderr so stdout carries only results). A
    /// plain service provider, not a generic host: a verb runs once and needs no configuration, lifetime or hosted
    /// services, and building them is start-up time (issue "Performance": a sync that finds nothing changed).</summary>
    public ServiceProvider BuildServices(ParseResult parseResult)
    {
        var services = new ServiceCollection();
        services.AddLogging(logging =>
        {
            logging.SetMinimumLevel(parseResult.GetValue(LogLevel));
            logging.AddSimpleConsole(o => o.SingleLine = true);
        });
        services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = Microsoft.Extensions.Logging.LogLevel.Trace);
        configureServices?.Invoke(services);
        services.AddDirectoryConnectorEngine();
        return services.BuildServiceProvider();
    }

    /// <summary>Reads the manifests, picks the DirectorySync and checks its spec (once: the check is handed on to
    /// building the source and the engine), or writes every problem and returns null.</summary>
    public async Task<(ManifestSet Set, DirectorySyncManifest DirectorySync, CheckedSpec Checked)?> ReadManifestsAsync(IServiceProvider services, ParseResult parseResult, Option<string[]> files, Option<string?> name, CancellationToken cancellationToken)
    {
        var error = parseResult.InvocationConfiguration.Error;
        try
        {
            var set = await ManifestReader.ReadFilesAsync(parseResult.GetValue(files) ?? [], services.GetRequiredService<SourceProviders>(), cancellationToken, StandardInput).ConfigureAwait(false);
            var directorySync = set.SelectDirectorySync(parseResult.GetValue(name));
            var check = services.GetRequiredService<SpecValidator>().Check(directorySync.Spec);
            if (check.Errors.Count > 0)
            {
                foreach (var specError in check.Errors)
                {
                    await error.WriteLineAsync($"error: {directorySync.File} (DirectorySync {directorySync.Name}): {specError}").ConfigureAwait(false);
                }

                return null;
            }

            foreach (var insecure in check.Insecure)
            {
                await error.WriteLineAsync($"warning: {directorySync.File} (DirectorySync {directorySync.Name}): {insecure}").ConfigureAwait(false);
            }

            return (set, directorySync, check);
        }
        catch (ManifestException e)
        {
            foreach (var problem in e.Problems)
            {
                await error.WriteLineAsync($"error: {problem}").ConfigureAwait(false);
            }

            return null;
        }
    }

    public static async Task<int> ReportFailureAsync(ParseResult parseResult, SyncFailedException failure)
    {
        await parseResult.InvocationConfiguration.Error.WriteLineAsync($"error: {failure.Reason}: {failure.Message}").ConfigureAwait(false);
        return ExitCodes.For(failure);
    }
}
