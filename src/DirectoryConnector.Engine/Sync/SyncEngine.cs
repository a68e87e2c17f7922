using DirectoryConnector.Engine.Bitwarden;
using DirectoryConnector.Engine.Bitwarden.Organization;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Http;
using DirectoryConnector.Engine.Planning;
using DirectoryConnector.Engine.Sources;
using Microsoft.Extensions.Logging;

namespace DirectoryConnector.Engine.Sync;

public enum SyncResult
{
    /// <summary>Changes were posted to Bitwarden.</summary>
    Synced,

    /// <summary>The hashes matched the previous state: nothing was posted.</summary>
    UpToDate,

    /// <summary>Dry run: everything but the POST.</summary>
    DryRun,

    /// <summary>The CLI's test: never calls Bitwarden.</summary>
    Previewed,
}

/// <param name="ApprovedDeletions">The plan hash of removals an administrator approved past spec.sync.maxDeletions.</param>
public sealed record SyncRunOptions(bool Force = false, bool DryRun = false, string? ApprovedDeletions = null);

/// <summary>What one run did.</summary>
public sealed record SyncOutcome
{
    public required SyncResult Result { get; init; }

    public required ImportPlan Plan { get; init; }

    /// <summary>The requests posted (Synced) or that would be posted (DryRun, Previewed).</summary>
    public required IReadOnlyList<OrganizationImportRequest> Requests { get; init; }

    public required bool MembersChanged { get; init; }

    public required bool GroupsChanged { get; init; }

    /// <summary>The state to keep for the next run.</summary>
    public required SyncState State { get; init; }

    /// <summary>What the sync changed (or, dry run, would change) in the organization; null when the organization was not read.</summary>
    public SyncChanges? Changes { get; init; }

    /// <summary>Entries left out because the server would fail on them, each with the fix.</summary>
    public IReadOnlyList<ServerConflict> Conflicts { get; init; } = [];

    /// <summary>The removals this sync was allowed to make past spec.sync.maxDeletions (their plan hash), if any.</summary>
    public string? ApprovedDeletions { get; init; }
}

/// <summary>Source → planner → Bitwarden client → outcome.</summary>
public sealed partial class SyncEngine(DirectoryHttpClientFactory httpClients, TimeProvider time, ILogger<SyncEngine> logger)
{
    /// <summary>The "test" of the original connector: reads the source and plans, never calls Bitwarden.</summary>
    public async Task<SyncOutcome> PreviewAsync(DirectorySyncSpec spec, IDirectorySource source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(source);
        ThrowIfInvalid(spec);

        // No API key here: the scope uses the configured organization id, so preview hashes only match a sync's
        // when the spec names the organization explicitly. Nothing compares them; they are shown for information.
        var endpoints = BitwardenEndpoints.FromSpec(spec.Bitwarden);
        var (plan, _) = await ReadAndPlanAsync(spec, source, HashScope(endpoints, spec.Bitwarden.OrganizationId ?? ""), previous: null, cancellationToken).ConfigureAwait(false);
        var requests = ImportRequestBuilder.Build(plan, spec.Sync.Users, spec.Sync.Groups, spec.Bitwarden.InviteUsersAfterProvisioning);
        return new SyncOutcome
        {
            Result = SyncResult.Previewed,
            Plan = plan,
            Requests = requests,
            MembersChanged = spec.Sync.Users,
            GroupsChanged = spec.Sync.Groups,
            State = StateFrom(plan, previous: null, spec, time.GetUtcNow(), succeeded: false, organization: null),
        };
    }

    /// <summary>One sync: posts only the parts whose hash differs from <paramref name="previous"/> (all with Force).</summary>
    public async Task<SyncOutcome> SyncAsync(DirectorySyncSpec spec, IDirectorySource source, IReferenceResolver references, SyncState? previous, SyncRunOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(references);
        ArgumentNullException.ThrowIfNull(options);
        ThrowIfInvalid(spec);

        var endpoints = BitwardenEndpoints.FromSpec(spec.Bitwarden);
        var apiKey = await ResolveApiKeyAsync(spec.Bitwarden, references, cancellationToken).ConfigureAwait(false);
        var (bitwarden, organizationClient) = await CreateBitwardenClientsAsync(spec.Bitwarden, references, cancellationToken).ConfigureAwait(false);
        var (plan, snapshot) = await ReadAndPlanAsync(spec, source, HashScope(endpoints, apiKey.OrganizationId), previous, cancellationToken).ConfigureAwait(false);

        var sync = spec.Sync;
        var membersChanged = sync.Users && (options.Force || previous?.MembersHash != plan.MembersHash);
        var groupsChanged = sync.Groups && (options.Force || previous?.GroupsHash != plan.GroupsHash);

        // Read the organization whenever the sync may change membership: to prune, to catch what the server would
        // fail on, and to say what changed.
        OrganizationPlan? organization = null;
        if (membersChanged || groupsChanged || sync.Prune)
        {
            organization = await PlanAgainstOrganizationAsync(organizationClient, bitwarden, spec, endpoints, apiKey, plan, snapshot, previous, cancellationToken).ConfigureAwait(false);
        }

        if (organization is not null)
        {
            plan = organization.Import;
            membersChanged |= sync.Users && organization.MemberRemovals.Count > 0;
        }

        if (sync.OverwriteExisting && (membersChanged || groupsChanged))
        {
            // Overwrite removes every member missing from the request, so a request must always carry all members.
            membersChanged = sync.Users;
            groupsChanged = sync.Groups;
        }

        var approved = organization is { GuardTriggered: true } ? organization.Guard.PlanHash : null;
        if (approved is not null && !string.Equals(options.ApprovedDeletions?.Trim(), approved, StringComparison.OrdinalIgnoreCase)
            && (membersChanged || groupsChanged || organization!.GroupDeletions.Count > 0))
        {
            LogGuardTriggered(organization!.Guard.MemberRemovals, organization.Guard.GroupDeletions, organization.Guard.PlanHash);
            throw new SyncFailedException(SyncFailureReason.DeletionGuardTriggered, DeletionGuard.Describe(organization.Guard), retryable: false)
            {
                DeletionGuard = organization.Guard,
            };
        }

        var now = time.GetUtcNow();
        var groupDeletions = organization?.GroupDeletions ?? [];
        if (!membersChanged && !groupsChanged && groupDeletions.Count == 0)
        {
            LogUpToDate(plan.Members.Count, plan.Groups.Count);
            return Outcome(SyncResult.UpToDate, plan, [], false, false, StateFrom(plan, previous, spec, now, succeeded: true, organization), organization, approved: null);
        }

        var requests = membersChanged || groupsChanged
            ? ImportRequestBuilder.Build(plan, membersChanged, groupsChanged, spec.Bitwarden.InviteUsersAfterProvisioning)
            : [];
        if (options.DryRun || spec.DryRun)
        {
            LogDryRun(requests.Count, membersChanged, groupsChanged);
            return Outcome(SyncResult.DryRun, plan, requests, membersChanged, groupsChanged, StateFrom(plan, previous, spec, now, succeeded: false, organization), organization, approved: null);
        }

        await bitwarden.ImportAsync(endpoints, apiKey, requests, cancellationToken).ConfigureAwait(false);
        foreach (var group in groupDeletions)
        {
            // After the import, so a failed import leaves the groups; a failure here is retried by the next sync.
            await organizationClient.DeleteGroupAsync(bitwarden, endpoints, apiKey, group, cancellationToken).ConfigureAwait(false);
        }

        var finished = time.GetUtcNow();
        var summary = organization?.Changes.Summary() ?? "organization not read";
        LogSynced(requests.Count, membersChanged, groupsChanged, plan.Members.Count, plan.Groups.Count, summary);
        return Outcome(SyncResult.Synced, plan, requests, membersChanged, groupsChanged, StateFrom(plan, previous, spec, finished, succeeded: true, organization), organization, approved);
    }

    private static SyncOutcome Outcome(SyncResult result, ImportPlan plan, IReadOnlyList<OrganizationImportRequest> requests, bool membersChanged, bool groupsChanged,
        SyncState state, OrganizationPlan? organization, string? approved) => new()
    {
        Result = result,
        Plan = plan,
        Requests = requests,
        MembersChanged = membersChanged,
        GroupsChanged = groupsChanged,
        State = state,
        Changes = result == SyncResult.UpToDate ? null : organization?.Changes,
        Conflicts = organization?.Conflicts ?? [],
        ApprovedDeletions = approved,
    };

    private async Task<OrganizationPlan?> PlanAgainstOrganizationAsync(BitwardenOrganizationClient organizationClient, BitwardenClient bitwarden, DirectorySyncSpec spec, BitwardenEndpoints endpoints, OrganizationApiKey apiKey,
        ImportPlan plan, DirectorySnapshot snapshot, SyncState? previous, CancellationToken cancellationToken)
    {
        OrganizationSnapshot organization;
        try
        {
            organization = await organizationClient.ReadAsync(bitwarden, endpoints, apiKey, cancellationToken).ConfigureAwait(false);
        }
        catch (SyncFailedException e) when (e.Reason == SyncFailureReason.BitwardenApiUnsupported && !spec.Sync.Prune)
        {
            // Vaultwarden: sync as before, without conflict checks or change reporting.
            LogOrganizationUnreadable(e.Message);
            return null;
        }

        var result = OrganizationPlanner.Plan(plan, snapshot, organization, spec.Sync,
            previous?.ManagedMembers, previous?.ManagedGroups);
        foreach (var conflict in result.Conflicts)
        {
            LogConflict(conflict.Entry, conflict.Message);
        }

        return result;
    }

    /// <summary>The state after a failed attempt: the attempt's time is kept, the hashes are not advanced.</summary>
    public static SyncState FailedAttempt(SyncState? previous, DateTimeOffset attemptTime)
        => (previous ?? new SyncState()) with { LastSyncTime = attemptTime };

    internal static string HashScope(BitwardenEndpoints endpoints, string organizationId)
        => endpoints.ApiUrl.AbsoluteUri.TrimEnd('/') + "|" + organizationId.ToUpperInvariant();

    private static void ThrowIfInvalid(DirectorySyncSpec spec)
    {
        var errors = SpecValidator.Validate(spec);
        if (errors.Count > 0)
        {
            throw new SyncFailedException(SyncFailureReason.InvalidSpec, string.Join("; ", errors), retryable: false);
        }
    }

    private static async Task<OrganizationApiKey> ResolveApiKeyAsync(BitwardenSpec spec, IReferenceResolver references, CancellationToken cancellationToken)
    {
        var secret = spec.ApiKeySecretRef;
        var clientId = await references.GetSecretValueAsync(secret.Name, secret.ClientIdKey, cancellationToken).ConfigureAwait(false);
        var clientSecret = await references.GetSecretValueAsync(secret.Name, secret.ClientSecretKey, cancellationToken).ConfigureAwait(false);
        // Both throw InvalidSpec naming the field, never quoting the Secret's values.
        var apiKey = new OrganizationApiKey(clientId, clientSecret);
        apiKey.EnsureOrganization(spec.OrganizationId);
        return apiKey;
    }

    /// <summary>The import and organization clients, trusting spec.bitwarden.caSecretRef's CA bundle, or the system store.</summary>
    private async Task<(BitwardenClient Import, BitwardenOrganizationClient Organization)> CreateBitwardenClientsAsync(BitwardenSpec spec, IReferenceResolver references, CancellationToken cancellationToken)
    {
        var caPem = spec.CaSecretRef is { } ca
            ? await references.GetSecretValueAsync(ca.Name, ca.Key, cancellationToken).ConfigureAwait(false)
            : null;
        try
        {
            return (httpClients.Create<BitwardenClient>(caPem), httpClients.Create<BitwardenOrganizationClient>(caPem));
        }
        catch (FormatException invalid)
        {
            throw new SyncFailedException(SyncFailureReason.InvalidSpec,
                $"spec.bitwarden.caSecretRef (key {spec.CaSecretRef!.Key} of Secret {spec.CaSecretRef.Name}): {invalid.Message}.", retryable: false);
        }
    }

    private async Task<(ImportPlan Plan, DirectorySnapshot Snapshot)> ReadAndPlanAsync(DirectorySyncSpec spec, IDirectorySource source, string hashScope, SyncState? previous, CancellationToken cancellationToken)
    {
        var sync = spec.Sync;
        var query = new DirectoryQuery(Users: sync.Users, Groups: sync.Groups, IncludeDeleted: sync.OverwriteExisting) { RemoveDisabled = sync.RemoveDisabled };
        DirectorySnapshot snapshot;
        try
        {
            snapshot = await source.ReadAsync(query, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not SyncFailedException and not OperationCanceledException)
        {
            // A failed read must never reach the planner: a partial snapshot would remove members.
            throw new SyncFailedException(SyncFailureReason.SourceUnavailable, $"Reading the directory failed: {e.Message}", retryable: true, e);
        }

        LogSourceRead(snapshot.Users.Count, snapshot.Groups.Count, snapshot.Skipped.Count);
        var plan = ImportPlanner.Plan(snapshot, sync, hashScope);
        foreach (var warning in plan.Warnings)
        {
            LogDirectoryWarning(warning);
        }

        ThrowIfSourceLooksEmpty(spec, snapshot, plan, previous);
        return (plan, snapshot);
    }

    // Never remove members because the source failed, was misconfigured or returned nothing unexpectedly.
    private static void ThrowIfSourceLooksEmpty(DirectorySyncSpec spec, DirectorySnapshot snapshot, ImportPlan plan, SyncState? previous)
    {
        if (!spec.Sync.Users || plan.Members.Any(m => !m.Deleted))
        {
            return;
        }

        var hadUsers = previous?.UserCount is > 0;
        if (!hadUsers && !spec.Sync.OverwriteExisting)
        {
            return;
        }

        var what = snapshot.Users.Count == 0
            ? "The directory returned no users"
            : $"None of the {snapshot.Users.Count} users the directory returned can be sent ({plan.Skipped.Count} entries skipped, see the report)";
        var why = hadUsers
            ? $"the last successful sync sent {previous!.UserCount} users"
            : "overwriteExisting is on and would remove every member";
        throw new SyncFailedException(SyncFailureReason.SourceEmpty,
            $"{what}, but {why}. Nothing was sent. Check the source's paths, filters and email attribute; if the directory really is empty, remove the members in Bitwarden by hand.",
            retryable: true);
    }

    private static SyncState StateFrom(ImportPlan plan, SyncState? previous, DirectorySyncSpec spec, DateTimeOffset now, bool succeeded, OrganizationPlan? organization)
    {
        var state = (previous ?? new SyncState()) with
        {
            LastSyncTime = now,
            UserCount = plan.Members.Count(m => !m.Deleted),
            GroupCount = plan.Groups.Count,
            SkippedCount = plan.Skipped.Count,
        };
        return succeeded
            ? state with
            {
                // Entries left out for a conflict were not sent: the next sync must post (and check) them again.
                MembersHash = spec.Sync.Users && organization is not { Conflicts.Count: > 0 } ? plan.MembersHash : null,
                GroupsHash = spec.Sync.Groups ? plan.GroupsHash : null,
                LastSuccessfulSyncTime = now,
                // Without an organization read (nothing changed, or Vaultwarden): what it managed plus what it sent.
                ManagedMembers = organization?.ManagedMembers ?? Union(previous?.ManagedMembers, spec.Sync.Users ? plan.Members.Where(m => !m.Deleted).Select(m => m.ExternalId) : []),
                ManagedGroups = organization?.ManagedGroups ?? Union(previous?.ManagedGroups, spec.Sync.Groups ? plan.Groups.Select(g => g.ExternalId) : []),
            }
            : state;
    }

    private static string[] Union(IReadOnlyList<string>? previous, IEnumerable<string> sent)
        => [.. new SortedSet<string>((previous ?? []).Concat(sent), StringComparer.Ordinal)];

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deletion guard: the sync would remove {MemberCount} members and {GroupCount} groups, more than spec.sync.maxDeletions allows; nothing posted. Approve with plan hash {PlanHash}")]
    private partial void LogGuardTriggered(int memberCount, int groupCount, string planHash);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Left out {Entry}: {Message}")]
    private partial void LogConflict(string entry, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the organization, so conflicts are not checked and changes not reported: {Reason}")]
    private partial void LogOrganizationUnreadable(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Read {UserCount} users and {GroupCount} groups from the directory ({SkippedCount} entries skipped by the source)")]
    private partial void LogSourceRead(int userCount, int groupCount, int skippedCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Warning}")]
    private partial void LogDirectoryWarning(string warning);

    [LoggerMessage(Level = LogLevel.Information, Message = "Up to date: {MemberCount} members and {GroupCount} groups match the last sync; nothing posted")]
    private partial void LogUpToDate(int memberCount, int groupCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dry run: would post {RequestCount} requests (members changed: {MembersChanged}, groups changed: {GroupsChanged})")]
    private partial void LogDryRun(int requestCount, bool membersChanged, bool groupsChanged);

    [LoggerMessage(Level = LogLevel.Information, Message = "Synced in {RequestCount} requests (members changed: {MembersChanged}, groups changed: {GroupsChanged}); {MemberCount} members, {GroupCount} groups; {Changes}")]
    private partial void LogSynced(int requestCount, bool membersChanged, bool groupsChanged, int memberCount, int groupCount, string changes);
}
