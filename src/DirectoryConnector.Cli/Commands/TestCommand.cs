using System.CommandLine;
using DirectoryConnector.Cli.Manifests;
using DirectoryConnector.Cli.Output;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sync;
using Microsoft.Extensions.DependencyInjection;

namespace DirectoryConnector.Cli.Commands;

/// <summary><c>test</c>: the original connector's "Test Now". Reads the directory and prints what a sync would send;
/// never calls Bitwarden, so the API-key Secret is not needed.</summary>
internal static class TestCommand
{
    public static Command Create(CliContext context)
    {
        var files = CliContext.CreateFilesOption();
        var name = CliContext.CreateNameOption();
        var format = new Option<string>("--output", "-o")
        {
            Description = "table (for people) or json: {\"requests\": the exact import requests that would be posted, \"skipped\": every entry left out with the reason, \"warnings\"}.",
            DefaultValueFactory = _ => "table",
        };
        format.AcceptOnlyFromAmong("table", "json");

        var command = new Command("test", "Reads the directory and prints what a sync would send, without calling Bitwarden.")
        {
            files,
            name,
            format,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var host = context.BuildHost(parseResult);
            if (await CliContext.ReadManifestsAsync(host.Services, parseResult, files, name, cancellationToken).ConfigureAwait(false) is not { } manifests)
            {
                return ExitCodes.BadInput;
            }

            var (set, directorySync, check) = manifests;

            var references = new ManifestReferenceResolver(set, directorySync.Namespace);
            try
            {
                var source = await check.CreateSourceAsync(references, cancellationToken).ConfigureAwait(false);
                var outcome = await host.Services.GetRequiredService<SyncEngine>()
                    .PreviewAsync(check, source, cancellationToken).ConfigureAwait(false);
                var output = parseResult.InvocationConfiguration.Output;
                if (parseResult.GetValue(format) == "json")
                {
                    PlanReport.WriteJson(outcome, output);
                }
                else
                {
                    PlanReport.WriteTable(outcome, output);
                }

                return ExitCodes.Success;
            }
            catch (SyncFailedException e)
            {
                return await CliContext.ReportFailureAsync(parseResult, e).ConfigureAwait(false);
            }
        });
        return command;
    }
}
