using System.CommandLine;
using DirectoryConnector.Cli.Commands;
using DirectoryConnector.Operator.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace DirectoryConnector.Cli;

/// <summary>Composes the verbs. Tests run it in-process with their own writers and services.</summary>
internal static class CliApplication
{
    public static RootCommand CreateRootCommand(Action<IServiceCollection>? configureServices = null, Func<OperatorOptions, CancellationToken, Task>? runOperator = null, Func<Stream>? standardInput = null)
    {
        var context = new CliContext(configureServices)
        {
            RunOperator = runOperator ?? OperatorHost.RunAsync,
            StandardInput = standardInput ?? Console.OpenStandardInput,
        };
        var root = new RootCommand("Keeps a Bitwarden organization's members and groups in sync with a company directory.");
        root.Options.Add(context.LogLevel);
        root.Subcommands.Add(TestCommand.Create(context));
        root.Subcommands.Add(SyncCommand.Create(context));
        root.Subcommands.Add(OperatorCommand.Create(context));
        root.Subcommands.Add(CrdCommand.Create());
        root.Subcommands.Add(ConvertBwdcCommand.Create(context));
        return root;
    }

    /// <summary>Parses and runs. Usage errors exit 2 (bad input), like every other input problem.</summary>
    public static async Task<int> RunAsync(RootCommand root, string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0 && parseResult.CommandResult.Command == root && args is [var first, ..] && !first.StartsWith('-'))
        {
            // A mistyped verb: the parser lists every later argument as unrecognized too; one line says what is wrong.
            var verbs = root.Subcommands.Select(c => c.Name).ToList();
            var meant = verbs.MinBy(verb => Manifests.ManifestReader.EditDistance(verb, first.ToLowerInvariant()))!;
            var suggestion = Manifests.ManifestReader.EditDistance(meant, first.ToLowerInvariant()) <= 2 ? $"did you mean {meant}? " : "";
            await error.WriteLineAsync($"error: '{first}' is not a command: {suggestion}The commands are {string.Join(", ", verbs)}.").ConfigureAwait(false);
            await error.WriteLineAsync("Run with --help for usage.").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }

        if (parseResult.Errors.Count > 0)
        {
            foreach (var parseError in parseResult.Errors)
            {
                await error.WriteLineAsync($"error: {parseError.Message}").ConfigureAwait(false);
            }

            await error.WriteLineAsync("Run with --help for usage.").ConfigureAwait(false);
            return ExitCodes.BadInput;
        }

        return await parseResult.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken).ConfigureAwait(false);
    }
}
