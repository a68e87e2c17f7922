using System.CommandLine;
using DirectoryConnector.Cli.Manifests;
using DirectoryConnector.Cli.Output;
using DirectoryConnector.Engine.Bitwarden;
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
            Description = "The output format, as kubectl's -o: table (for people) or json: {\"requests\": the exact import requests that would be posted, \"skipped\": every entry left out with the reason, \"warnings\"}.",
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
            using var services = context.BuildServices(parseResult);
            if (await context.ReadManifestsAsync(services, parseResult, files, name, cancellationToken).ConfigureAwait(false) is not { } manifests)
            {
                return ExitCodes.BadInput;
            }

            var (set, directorySync, check) = manifests;

            var references = new ManifestReferenceResolver(set, directorySync.Namespace);
            try
            {
                var source = await check.CreateSourceAsync(references, cancellationToken).ConfigureAwait(false);
                // The table counts the import requests; only the JSON report prints them.
                var json = parseResult.GetValue(format) == "json";
                var outcome = await services.GetRequiredService<SyncEngine>()
                    .PreviewAsync(check, source, buildRequests: json, cancellationToken).ConfigureAwait(false);
                var output = parseResult.InvocationConfiguration.Output;
                if (json)
                {
                    PlanReport.WriteJson(outcome, output);
                }
                else
                {
                    var sync = check.Spec.Sync;
                    PlanReport.WriteTable(outcome, ImportRequestBuilder.Count(outcome.Plan!, sync.Users, sync.Groups), output);
                }

                if (directorySync.Spec.Sync.Users && outcome.Plan is { Members.Count: 0 } plan && !plan.Skipped.Any(s => s.Kind == SkippedEntryKind.User))
                {
                    // An empty result is most often a filter or a search base that matches nothing, not an empty directory.
                    await parseResult.InvocationConfiguration.Error.WriteLineAsync(
                        "warning: the source returned no users: check spec.filters.users and where the source looks (e.g. spec.source.ldap.rootPath and userPath). "
                        + "A sync posts nothing, and after syncs that had users it stops with SourceEmpty rather than remove anyone.").ConfigureAwait(false);
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
