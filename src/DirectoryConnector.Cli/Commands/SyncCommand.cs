using System.CommandLine;
using DirectoryConnector.Cli.Manifests;
using DirectoryConnector.Cli.Output;
using DirectoryConnector.Engine.Bitwarden;
using DirectoryConnector.Engine.Planning;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sync;
using Microsoft.Extensions.DependencyInjection;

namespace DirectoryConnector.Cli.Commands;

/// <summary><c>sync</c>: one sync, for cron and CI. The state file makes a run with nothing changed post nothing.</summary>
internal static class SyncCommand
{
    public static Command Create(CliContext context)
    {
        var files = CliContext.CreateFilesOption();
        var name = CliContext.CreateNameOption();
        var statePath = new Option<string?>("--state")
        {
            Description = "JSON file remembering the last sync (hashes, times, counts). Without it every run posts everything.",
        };
        var force = new Option<bool>("--force") { Description = "Posts members and groups even when nothing changed." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Does everything but the import POST." };
        var approveDeletions = new Option<string?>("--approve-deletions")
        {
            Description = "Approves the removals a sync stopped by spec.sync.maxDeletions reported, by their plan hash: that plan only.",
        };

        var otherStates = new Option<string[]>("--other-state")
        {
            Description = "The state file of another DirectorySync feeding the same organization (repeatable): what it manages is never pruned by this one, so a user who moved into its scope is handed over, not removed.",
            Arity = ArgumentArity.ZeroOrMore,
        };

        var command = new Command("sync", "Syncs the directory into the Bitwarden organization once. Exit 0 synced or up to date, 1 failed, 2 bad input.")
        {
            files,
            name,
            statePath,
            force,
            dryRun,
            approveDeletions,
            otherStates,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var error = parseResult.InvocationConfiguration.Error;
            using var services = context.BuildServices(parseResult);
            if (await context.ReadManifestsAsync(services, parseResult, files, name, cancellationToken).ConfigureAwait(false) is not { } manifests)
            {
                return ExitCodes.BadInput;
            }

            var (set, directorySync, check) = manifests;

            var state = parseResult.GetValue(statePath);
            SyncState? previous = null;
            StateOwner? writtenFor = null;
            if (state is not null)
            {
                try
                {
                    (previous, writtenFor) = await StateFile.LoadAsync(state, cancellationToken, forWriting: true).ConfigureAwait(false);
                }
                catch (ManifestException e)
                {
                    await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
                    return ExitCodes.BadInput;
                }
            }

            ManagedByOthers? others = null;
            if (parseResult.GetValue(otherStates) is { Length: > 0 } otherPaths)
            {
                var loaded = new List<SyncState?>();
                foreach (var otherPath in otherPaths)
                {
                    try
                    {
                        // A missing file is a DirectorySync that has not synced yet: it manages nothing.
                        loaded.Add((await StateFile.LoadAsync(otherPath, cancellationToken).ConfigureAwait(false)).State);
                    }
                    catch (ManifestException e)
                    {
                        await error.WriteLineAsync($"error: --other-state: {e.Message}").ConfigureAwait(false);
                        return ExitCodes.BadInput;
                    }
                }

                others = ManagedByOthers.From(loaded);
            }

            var time = services.GetRequiredService<TimeProvider>();
            var attemptTime = time.GetUtcNow();
            var references = new ManifestReferenceResolver(set, directorySync.Namespace);
            SyncOutcome outcome;
            StateOwner? owner = null;
            try
            {
                if (state is not null)
                {
                    owner = await OwnerAsync(directorySync, references, cancellationToken).ConfigureAwait(false);
                    if (writtenFor is not null && owner.Mismatch(writtenFor) is { } mismatch)
                    {
                        await error.WriteLineAsync($"error: --state {state}: {mismatch}").ConfigureAwait(false);
                        return ExitCodes.BadInput;
                    }
                }

                var source = await check.CreateSourceAsync(references, cancellationToken).ConfigureAwait(false);
                outcome = await services.GetRequiredService<SyncEngine>()
                    .SyncAsync(check, source, references, previous,
                        new SyncRunOptions(Force: parseResult.GetValue(force), DryRun: parseResult.GetValue(dryRun), ApprovedDeletions: parseResult.GetValue(approveDeletions), ManagedByOthers: others), cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (SyncFailedException e)
            {
                var exitCode = await CliContext.ReportFailureAsync(parseResult, e).ConfigureAwait(false);
                if (state is not null && exitCode == ExitCodes.SyncFailed)
                {
                    // Remember that an attempt failed; the hashes stay (but for the shards an interrupted import completed), so the next run sends the rest again.
                    await SaveStateAsync(state, SyncEngine.FailedAttempt(previous, attemptTime, e), owner, error).ConfigureAwait(false);
                }

                return exitCode;
            }

            if (state is not null && outcome.Result != SyncResult.DryRun
                && !await SaveStateAsync(state, outcome.State, owner, error).ConfigureAwait(false))
            {
                return ExitCodes.SyncFailed;
            }

            // Cron and CI logs keep stderr: every entry left out is named there, with the reason.
            foreach (var skipped in SkippedEntry.InReportOrder(outcome.Plan?.Skipped ?? []))
            {
                await error.WriteLineAsync($"skipped {skipped}").ConfigureAwait(false);
            }

            foreach (var warning in outcome.Plan?.Warnings ?? [])
            {
                await error.WriteLineAsync($"warning: {warning}").ConfigureAwait(false);
            }

            foreach (var conflict in outcome.Conflicts)
            {
                await error.WriteLineAsync($"left out {conflict.Entry}: {conflict.Message}").ConfigureAwait(false);
            }

            var output = parseResult.InvocationConfiguration.Output;
            if (outcome.Changes is { } changes)
            {
                var would = outcome.Result == SyncResult.DryRun ? "would be " : "";
                foreach (var kind in SyncChangeKind.All)
                {
                    foreach (var entry in kind.EntriesOf(changes))
                    {
                        await output.WriteLineAsync(would + kind.LineFor(entry)).ConfigureAwait(false);
                    }
                }

                if (!changes.GroupMembershipsComplete)
                {
                    await output.WriteLineAsync($"group memberships of existing groups not listed: the organization has more than {OrganizationPlanner.MaxGroupMembershipReads} synced groups").ConfigureAwait(false);
                }
            }

            await output.WriteLineAsync(Describe(outcome)).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The DirectorySync and the organization of its API key, as recorded in the state file.</summary>
    private static async Task<StateOwner> OwnerAsync(DirectorySyncManifest directorySync, ManifestReferenceResolver references, CancellationToken cancellationToken)
    {
        var bitwarden = directorySync.Spec.Bitwarden;
        var apiKey = new OrganizationApiKey(
            await references.GetSecretValueAsync(bitwarden.ApiKeySecretRef.Name, bitwarden.ApiKeySecretRef.ClientIdKey, "spec.bitwarden.apiKeySecretRef.clientIdKey", cancellationToken).ConfigureAwait(false),
            await references.GetSecretValueAsync(bitwarden.ApiKeySecretRef.Name, bitwarden.ApiKeySecretRef.ClientSecretKey, "spec.bitwarden.apiKeySecretRef.clientSecretKey", cancellationToken).ConfigureAwait(false));
        // The organization id only: a GUID names one organization wherever its server moves.
        return new StateOwner(directorySync.Namespace is { } ns ? $"{ns}/{directorySync.Name}" : directorySync.Name, apiKey.OrganizationId);
    }

    /// <summary>False (after saying so) when the state cannot be written: the sync's result stands, but the next run
    /// would not know it and posts again what this one posted.</summary>
    private static async Task<bool> SaveStateAsync(string path, SyncState state, StateOwner? owner, TextWriter error)
    {
        try
        {
            await StateFile.SaveAsync(path, state, owner, CancellationToken.None).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"error: --state {path}: cannot write the state ({e.Message}); the next run posts again what this one did").ConfigureAwait(false);
            return false;
        }
    }

    private static string Describe(SyncOutcome outcome)
    {
        var parts = (outcome.MembersChanged, outcome.GroupsChanged) switch
        {
            (true, true) => "members and groups",
            (true, false) => "members",
            _ => "groups",
        };
        if (outcome.Plan is null)
        {
            return $"Up to date: nothing changed since the last sync, nothing posted. The source reports no change, so it was not read in full; {outcome.State.UserCount ?? 0} members, {outcome.State.GroupCount ?? 0} groups as last synced.";
        }

        var summary = PlanReport.Summary(outcome.Plan, outcome.Requests.Count);
        var fullRead = outcome.FullReadReason is { } why ? $" (full read: {why})" : "";
        var changes = outcome.Changes is { } c ? $" Changes: {c.Summary()}{(outcome.Conflicts.Count > 0 ? $"; {outcome.Conflicts.Count} left out (conflicts, see stderr)" : "")}." : "";
        return outcome.Result switch
        {
            SyncResult.UpToDate => $"Up to date: nothing changed since the last sync, nothing posted{fullRead}. {summary}",
            SyncResult.DryRun => $"Dry run: would post {parts}.{changes} {summary}",
            _ => $"Synced: posted {parts}{fullRead}.{changes} {summary}",
        };
    }
}
