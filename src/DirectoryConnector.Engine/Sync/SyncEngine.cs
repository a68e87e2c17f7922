using DirectoryConnector.Engine.Bitwarden;
using DirectoryConnector.Engine.Bitwarden.Organization;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Http;
using DirectoryConnector.Engine.Planning;
using DirectoryConnector.Engine.Sources;
using Microsoft.Extensions.Logging;

namespace DirectoryConnector.Engine.Sync;

/// <summary>Source → planner → Bitwarden client → outcome.</summary>
public sealed partial class SyncEngine(DirectoryHttpClientFactory httpClients, TimeProvider time, ILogger<SyncEngine> logger)
{
    /// <summary>The "test" of the original connector: reads the source and plans, never calls Bitwarden.
    /// Throws SyncFailedException(InvalidSpec) when <paramref name="checkedSpec"/> has problems.</summary>
    public Task<SyncOutcome> PreviewAsync(CheckedSpec checkedSpec, IDirectorySource source, CancellationToken cancellationToken)
        => PreviewAsync(checkedSpec, source, buildRequests: true, cancellationToken);

    /// <summary>As <see cref="PreviewAsync(CheckedSpec, IDirectorySource, CancellationToken)"/>; without
    /// <paramref name="buildRequests"/> the requests are only checked (what would refuse them still throws) and
    /// <see cref="SyncOutcome.Requests"/> is empty: a report that only counts them (<c>test</c>'s table) does not hold
    /// every member a second time (issue "Performance").</summary>
    public async Task<SyncOutcome> PreviewAsync(CheckedSpec checkedSpec, IDirectorySource source, bool buildRequests, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(checkedSpec);
        ArgumentNullException.ThrowIfNull(source);
        var spec = checkedSpec.ThrowIfInvalid();

        // No API key here: the scope uses the configured organization id, so preview hashes only match a sync's
        // when the spec names the organization explicitly. Nothing compares them; they are shown for information.
        var endpoints = BitwardenEndpoints.FromSpec(spec.Bitwarden);
        var (read, sourceRead) = await ReadAndPlanAsync(spec, source, HashScope(endpoints, spec.Bitwarden.OrganizationId ?? ""), previous: null, cursor: null, cancellationToken).ConfigureAwait(false);
        var plan = read!; // without a cursor every read is a full one
        IReadOnlyList<OrganizationImportRequest> requests = [];
        if (buildRequests)
        {
            requests = ImportRequestBuilder.Build(plan, spec.Sync.Users, spec.Sync.Groups, spec.Bitwarden.InviteUsersAfterProvisioning);
        }
        else
        {
            ImportRequestBuilder.Count(plan, spec.Sync.Users, spec.Sync.Groups);
        }

        return new SyncOutcome
        {
            Result = SyncResult.Previewed,
            Plan = plan,
            Requests = requests,
            MembersChanged = spec.Sync.Users,
            GroupsChanged = spec.Sync.Groups,
            State = StateFrom(plan, sourceRead.Cursor, previous: null, spec, cursorScope: null, time.GetUtcNow(), succeeded: false, organization: null, shards: null),
        };
    }

    /// <summary>One sync: posts only the parts whose hash differs from <paramref name="previous"/> (all with Force).
    /// Throws SyncFailedException(InvalidSpec) when <paramref name="checkedSpec"/> has problems.</summary>
    public async Task<SyncOutcome> SyncAsync(CheckedSpec checkedSpec, IDirectorySource source, IReferenceResolver references, SyncState? previous, SyncRunOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(checkedSpec);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(references);
        ArgumentNullException.ThrowIfNull(options);
        var spec = checkedSpec.ThrowIfInvalid();

        var endpoints = BitwardenEndpoints.FromSpec(spec.Bitwarden);
        var apiKey = await ResolveApiKeyAsync(spec.Bitwarden, references, cancellationToken).ConfigureAwait(false);
        // The clients (handlers, resilience pipelines) are built once something may be posted: a sync the cursor proves
        // unchanged never needs them, and building them is a good part of a CLI run's start-up (issue "Performance").
        // A CA bundle is checked first, though, so a bad one fails before a long read.
        var caPem = await ResolveCaBundleAsync(spec.Bitwarden, references, cancellationToken).ConfigureAwait(false);
        (BitwardenClient Import, BitwardenOrganizationClient Organization)? clients = caPem is null ? null : CreateBitwardenClients(spec.Bitwarden, caPem);
        var hashScope = HashScope(endpoints, apiKey.OrganizationId);
        previous = InOrganization(previous, hashScope);
        var cursorScope = CursorScope(spec, hashScope);
        var cursor = options.Force || options.DryRun || spec.DryRun ? null : UsableCursor(spec, previous, cursorScope, time.GetUtcNow());
        // The directory snapshot stays inside ReadAndPlanAsync: the plan carries all the organization planning needs, so
        // the snapshot is collected before the organization is read (issue "Performance": a 200k change sync held both).
        var (read, sourceRead) = await ReadAndPlanAsync(spec, source, hashScope, previous, cursor, cancellationToken).ConfigureAwait(false);
        if (read is not { } plan)
        {
            // The cursor proved nothing changed (deletions included) since the last successful sync: nothing to plan or post.
            var unchangedAt = time.GetUtcNow();
            LogSourceUnchanged(previous!.UserCount ?? 0, previous.GroupCount ?? 0);
            return new SyncOutcome
            {
                Result = SyncResult.UpToDate,
                Plan = null,
                SourceUnchanged = true,
                Requests = [],
                MembersChanged = false,
                GroupsChanged = false,
                State = previous with
                {
                    LastSyncTime = unchangedAt,
                    LastSuccessfulSyncTime = unchangedAt,
                    SourceCursor = BoundedCursor(sourceRead.Cursor) ?? previous.SourceCursor,
                },
            };
        }

        var (bitwarden, organizationClient) = clients ?? CreateBitwardenClients(spec.Bitwarden, caPem);
        var sync = spec.Sync;
        var asRead = plan;
        var previousMemberShards = PreviousShards(previous?.MemberShards, previous?.MembersHash, plan.MembersHash, plan.MemberShards);
        var previousGroupShards = PreviousShards(previous?.GroupShards, previous?.GroupsHash, plan.GroupsHash, plan.GroupShards);
        var memberShardsToPost = ChangedShards(sync.Users, plan.MemberShards, previousMemberShards, options.Force);
        var groupShardsToPost = ChangedShards(sync.Groups, plan.GroupShards, previousGroupShards, options.Force);
        var membersChanged = memberShardsToPost.Any(changed => changed);
        var groupsChanged = groupShardsToPost.Any(changed => changed);

        // Read the organization whenever the sync may change membership: to prune, to catch what the server would
        // fail on, and to say what changed.
        OrganizationPlan? organization = null;
        if (membersChanged || groupsChanged || sync.Prune)
        {
            var postsGroups = groupsChanged || (sync.OverwriteExisting && membersChanged && sync.Groups);
            organization = await PlanAgainstOrganizationAsync(organizationClient, bitwarden, spec, endpoints, apiKey, plan, previous, options.ManagedByOthers, postsGroups, cancellationToken).ConfigureAwait(false);
        }

        if (organization is not null)
        {
            plan = organization.Import;
            membersChanged |= sync.Users && organization.MemberRemovals.Count > 0;
            groupsChanged |= sync.Groups && organization.GroupsListNewMembers;
        }

        if (sync.OverwriteExisting && (membersChanged || groupsChanged))
        {
            // Overwrite removes every member missing from the request, so a request must always carry all members.
            membersChanged = sync.Users;
            groupsChanged = sync.Groups;
            Array.Fill(memberShardsToPost, sync.Users);
            Array.Fill(groupShardsToPost, sync.Groups);
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
        // Within a changed group shard only the changed groups, except where everything goes out anyway.
        var previousGroupDigests = options.Force || sync.OverwriteExisting ? null : GroupDigestSet.Decode(previous?.GroupDigests);
        var posting = ShardedPost.Select(plan, asRead, organization, memberShardsToPost, groupShardsToPost, previousGroupDigests, membersChanged, groupsChanged);
        // A changed shard whose groups were all posted before (one of them left the directory) has nothing to send.
        groupsChanged &= posting.GroupCount > 0 || sync.OverwriteExisting;
        if (!membersChanged && !groupsChanged && groupDeletions.Count == 0)
        {
            LogUpToDate(plan.Members.Count, plan.Groups.Count);
            return Outcome(SyncResult.UpToDate, plan, [], false, false, StateFrom(plan, sourceRead.Cursor, previous, spec, cursorScope, now, succeeded: true, organization, posting.Advance(previousMemberShards, previousGroupShards, postedRequests: 0)), organization, approved: null, sourceRead.FullReadReason);
        }

        var requests = posting.Requests(spec.Bitwarden.InviteUsersAfterProvisioning);
        if (options.DryRun || spec.DryRun)
        {
            LogDryRun(requests.Count, membersChanged, groupsChanged);
            return Outcome(SyncResult.DryRun, plan, requests, membersChanged, groupsChanged, StateFrom(plan, sourceRead.Cursor, previous, spec, cursorScope, now, succeeded: false, organization, shards: null), organization, approved: null, sourceRead.FullReadReason);
        }

        var posted = 0;
        try
        {
            await bitwarden.ImportAsync(endpoints, apiKey, requests, applied => posted = applied, cancellationToken).ConfigureAwait(false);
        }
        catch (SyncFailedException failure) when (posted > 0)
        {
            // Imports are not transactional: the shards whose entries were all applied advance, so the next sync
            // posts only the rest.
            var (members, groups, groupDigests) = posting.Advance(previousMemberShards, previousGroupShards, posted);
            LogPartialImport(posted, requests.Count);
            throw new SyncFailedException(failure.Reason, failure.Message, failure.Retryable, failure)
            {
                DeletionGuard = failure.DeletionGuard,
                PartialState = (previous ?? new SyncState()) with
                {
                    MembersHash = null,
                    GroupsHash = null,
                    MemberShards = members?.Encode(),
                    GroupShards = groups?.Encode(),
                    GroupDigests = groupDigests?.Encode(),
                },
            };
        }

        foreach (var group in groupDeletions)
        {
            // After the import, so a failed import leaves the groups; a failure here is retried by the next sync.
            await organizationClient.DeleteGroupAsync(bitwarden, endpoints, apiKey, group, cancellationToken).ConfigureAwait(false);
        }

        var finished = time.GetUtcNow();
        var summary = organization?.Changes.Summary() ?? "organization not read";
        LogSynced(requests.Count, posting.MemberCount, posting.GroupCount, plan.Members.Count, plan.Groups.Count, summary);
        return Outcome(SyncResult.Synced, plan, requests, membersChanged, groupsChanged, StateFrom(plan, sourceRead.Cursor, previous, spec, cursorScope, finished, succeeded: true, organization, posting.Advance(previousMemberShards, previousGroupShards, requests.Count)), organization, approved, sourceRead.FullReadReason);
    }

    /// <summary>The shard digests last posted: the recorded ones, or, for a state written before shards existed, the
    /// current ones when its single hash still matches (nothing changed), else none (everything is posted once).</summary>
    private static ShardHashes? PreviousShards(string? encoded, string? previousHash, string currentHash, ShardHashes? current)
        => encoded is not null ? ShardHashes.Decode(encoded) : previousHash is not null && previousHash == currentHash ? current : null;

    private static bool[] ChangedShards(bool synced, ShardHashes? current, ShardHashes? previous, bool force)
    {
        var changed = new bool[ShardHashes.Count];
        for (var shard = 0; synced && shard < changed.Length; shard++)
        {
            changed[shard] = force || current is null || !current.Matches(previous, shard);
        }

        return changed;
    }

    private static SyncOutcome Outcome(SyncResult result, ImportPlan plan, IReadOnlyList<OrganizationImportRequest> requests, bool membersChanged, bool groupsChanged,
        SyncState state, OrganizationPlan? organization, string? approved, string? fullReadReason) => new()
    {
        FullReadReason = fullReadReason,
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
        ImportPlan plan, SyncState? previous, ManagedByOthers? others, bool postsGroups, CancellationToken cancellationToken)
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

        if (postsGroups)
        {
            // Who joins and leaves each group: the import replaces their members, so read them first.
            organization = new OrganizationSnapshot
            {
                Members = organization.Members,
                Groups = organization.Groups,
                GroupMemberIds = await organizationClient.ReadGroupMemberIdsAsync(bitwarden, endpoints, apiKey,
                    OrganizationPlanner.GroupsToRead(plan, organization), cancellationToken).ConfigureAwait(false),
            };
        }

        var result = OrganizationPlanner.Plan(plan, organization, spec.Sync,
            previous?.ManagedMembers, previous?.ManagedGroups, previous?.RemovedDisabled, others);
        if (!postsGroups && spec.Sync.Groups && result.GroupsListNewMembers)
        {
            // The groups go out after all (a member they list joins now): plan again with their memberships read.
            return await PlanAgainstOrganizationAsync(organizationClient, bitwarden, spec, endpoints, apiKey, plan, previous, others, postsGroups: true, cancellationToken).ConfigureAwait(false);
        }

        foreach (var conflict in result.Conflicts)
        {
            LogConflict(conflict.Entry, conflict.Message);
        }

        return result;
    }

    /// <summary>The state after a failed attempt: the attempt's time is kept; the hashes are not advanced, except the
    /// shards an interrupted import had fully applied (<see cref="SyncFailedException.PartialState"/>).</summary>
    public static SyncState FailedAttempt(SyncState? previous, DateTimeOffset attemptTime, SyncFailedException? failure = null)
        => (failure?.PartialState ?? previous ?? new SyncState()) with { LastSyncTime = attemptTime };

    /// <summary>
    /// The previous state as this organization may use it, tagged with <paramref name="organization"/> so every state
    /// derived from it records where its managed sets belong. A state recorded in another organization (the API key or
    /// server changed) keeps none of them: they name what this DirectorySync placed there, and prune must only remove
    /// what it placed here. Digests and cursor are scoped by the organization already; the counts stay, so an empty
    /// source after the move is still refused.
    /// </summary>
    private SyncState InOrganization(SyncState? previous, string organization)
    {
        if (previous is { Organization: { } recorded } && recorded != organization
            && (previous.ManagedMembers is not null || previous.ManagedGroups is not null || previous.RemovedDisabled is not null))
        {
            LogOrganizationMoved(recorded, organization);
            previous = previous with { ManagedMembers = null, ManagedGroups = null, RemovedDisabled = null };
        }

        return (previous ?? new SyncState()) with { Organization = organization };
    }

    internal static string HashScope(BitwardenEndpoints endpoints, string organizationId)
        => endpoints.ApiUrl.AbsoluteUri.TrimEnd('/') + "|" + organizationId.ToUpperInvariant();

    private static async Task<OrganizationApiKey> ResolveApiKeyAsync(BitwardenSpec spec, IReferenceResolver references, CancellationToken cancellationToken)
    {
        var secret = spec.ApiKeySecretRef;
        var clientId = await references.GetSecretValueAsync(secret.Name, secret.ClientIdKey, "spec.bitwarden.apiKeySecretRef.clientIdKey", cancellationToken).ConfigureAwait(false);
        var clientSecret = await references.GetSecretValueAsync(secret.Name, secret.ClientSecretKey, "spec.bitwarden.apiKeySecretRef.clientSecretKey", cancellationToken).ConfigureAwait(false);
        // Both throw InvalidSpec naming the field, never quoting the Secret's values.
        var apiKey = new OrganizationApiKey(clientId, clientSecret);
        apiKey.EnsureOrganization(spec.OrganizationId);
        return apiKey;
    }

    /// <summary>spec.bitwarden.caSecretRef's CA bundle (null: the system store), read before the directory so a missing
    /// Secret fails the sync whatever the source reports.</summary>
    private static async Task<string?> ResolveCaBundleAsync(BitwardenSpec spec, IReferenceResolver references, CancellationToken cancellationToken)
        => spec.CaSecretRef is { } ca
            ? await references.GetSecretValueAsync(ca.Name, ca.Key, "spec.bitwarden.caSecretRef.key", cancellationToken).ConfigureAwait(false)
            : null;

    /// <summary>The import and organization clients, trusting the CA bundle, or the system store.</summary>
    private (BitwardenClient Import, BitwardenOrganizationClient Organization) CreateBitwardenClients(BitwardenSpec spec, string? caPem)
        => (httpClients.Create<BitwardenClient>(caPem, spec.CaSecretRef, "spec.bitwarden.caSecretRef"),
            httpClients.Create<BitwardenOrganizationClient>(caPem, spec.CaSecretRef, "spec.bitwarden.caSecretRef"));

    private async Task<(ImportPlan? Plan, SourceRead Read)> ReadAndPlanAsync(DirectorySyncSpec spec, IDirectorySource source, string hashScope, SyncState? previous, string? cursor, CancellationToken cancellationToken)
    {
        var sync = spec.Sync;
        var query = new DirectoryQuery(Users: sync.Users, Groups: sync.Groups, IncludeDeleted: sync.OverwriteExisting) { Cursor = cursor, RemoveDisabled = sync.RemoveDisabled };
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

        if (snapshot.Unchanged)
        {
            if (cursor is null)
            {
                // Only a cursor can prove that nothing changed; anything else would hide changes and deletions.
                throw new InvalidOperationException($"{source.GetType().Name} reported an unchanged directory for a read without a cursor.");
            }

            return (null, new SourceRead(snapshot.Cursor, snapshot.FullReadReason));
        }

        if (cursor is not null && snapshot.FullReadReason is { } why)
        {
            LogFullRead(why);
        }

        LogSourceRead(snapshot.Users.Count, snapshot.Groups.Count, snapshot.Skipped.Count);
        var plan = ImportPlanner.Plan(snapshot, sync, hashScope);
        foreach (var warning in plan.Warnings)
        {
            LogDirectoryWarning(warning);
        }

        ThrowIfSourceLooksEmpty(spec, snapshot, plan, previous);
        return (plan, new SourceRead(snapshot.Cursor, snapshot.FullReadReason));
    }

    /// <summary>What a sync keeps of the directory read besides the plan: the source's new cursor and why it read in full.</summary>
    private sealed record SourceRead(string? Cursor, string? FullReadReason);

    /// <summary>The previous cursor when it may be used: the last sync succeeded with the same source spec, filters,
    /// sync options and organization, and the last full read is younger than spec.sync.fullSyncInterval.</summary>
    private static string? UsableCursor(DirectorySyncSpec spec, SyncState? previous, string cursorScope, DateTimeOffset now)
    {
        if (previous is not { SourceCursor: { } cursor, LastFullReadTime: { } lastFullRead }
            || previous.SourceCursorScope != cursorScope
            || (spec.Sync.Users && previous.MembersHash is null)
            || (spec.Sync.Groups && previous.GroupsHash is null))
        {
            return null;
        }

        var fullSyncInterval = DurationFormat.TryParse(spec.Sync.FullSyncInterval, out var interval) ? interval : TimeSpan.FromHours(24);
        return now - lastFullRead < fullSyncInterval ? cursor : null;
    }

    /// <summary>What a cursor depends on: the source spec, the filters, the sync options and the organization.</summary>
    /// <remarks>The JSON hashed is <c>{"source":...,"filters":...,"sync":...,"hashScope":"..."}</c> with web defaults,
    /// byte for byte what earlier versions hashed (an anonymous object serialized by reflection), so an upgrade keeps
    /// every recorded cursor usable.</remarks>
    internal static string CursorScope(DirectorySyncSpec spec, string hashScope)
    {
        var json = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new CursorScopeInput(spec.Source, spec.Filters, spec.Sync, hashScope), CursorScopeJsonContext.Default.CursorScopeInput);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(json));
    }

    private string? BoundedCursor(string? cursor)
    {
        if (cursor is { Length: > DirectorySnapshot.MaxCursorLength })
        {
            // Too large to keep in status: the next sync reads in full, which is always correct.
            LogCursorTooLong(cursor.Length, DirectorySnapshot.MaxCursorLength);
            return null;
        }

        return cursor;
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

    private SyncState StateFrom(ImportPlan plan, string? cursor, SyncState? previous, DirectorySyncSpec spec, string? cursorScope, DateTimeOffset now, bool succeeded, OrganizationPlan? organization,
        (ShardHashes? Members, ShardHashes? Groups, GroupDigestSet? GroupDigests)? shards)
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
                MemberShards = spec.Sync.Users ? shards?.Members?.Encode() : null,
                GroupShards = spec.Sync.Groups ? shards?.Groups?.Encode() : null,
                GroupDigests = spec.Sync.Groups ? shards?.GroupDigests?.Encode() : null,
                LastSuccessfulSyncTime = now,
                // Without an organization read (nothing changed, or Vaultwarden): what it managed plus what it sent.
                ManagedMembers = organization?.ManagedMembers ?? Union(previous?.ManagedMembers, spec.Sync.Users ? plan.Members.Where(m => !m.Deleted).Select(m => m.ExternalId) : []),
                ManagedGroups = organization?.ManagedGroups ?? Union(previous?.ManagedGroups, spec.Sync.Groups ? plan.Groups.Select(g => g.ExternalId) : []),
                RemovedDisabled = organization?.RemovedDisabled ?? previous?.RemovedDisabled,
                SourceCursor = cursorScope is null ? null : BoundedCursor(cursor),
                SourceCursorScope = cursorScope,
                LastFullReadTime = now,
            }
            : state;
    }

    private static string[] Union(IReadOnlyList<string>? previous, IEnumerable<string> sent)
        => [.. new SortedSet<string>((previous ?? []).Concat(sent), StringComparer.Ordinal)];

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deletion guard: the sync would remove {MemberCount} members and {GroupCount} groups, more than spec.sync.maxDeletions allows; nothing posted. Approve with plan hash {PlanHash}")]
    private partial void LogGuardTriggered(int memberCount, int groupCount, string planHash);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The organization changed from {Previous} to {Current}: the members and groups managed there are not carried over, so prune starts from what this sync places")]
    private partial void LogOrganizationMoved(string previous, string current);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Left out {Entry}: {Message}")]
    private partial void LogConflict(string entry, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the organization, so conflicts are not checked and changes not reported: {Reason}")]
    private partial void LogOrganizationUnreadable(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Read {UserCount} users and {GroupCount} groups from the directory ({SkippedCount} entries skipped by the source)")]
    private partial void LogSourceRead(int userCount, int groupCount, int skippedCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Warning}")]
    private partial void LogDirectoryWarning(string warning);

    [LoggerMessage(Level = LogLevel.Information, Message = "Up to date: the source's cursor shows no change since the last sync ({MemberCount} members, {GroupCount} groups); nothing read in full, nothing posted")]
    private partial void LogSourceUnchanged(int memberCount, int groupCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Full read instead of an incremental one: {Reason}")]
    private partial void LogFullRead(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The source's cursor has {Length} characters, more than the {MaxLength} kept; the next sync reads in full")]
    private partial void LogCursorTooLong(int length, int maxLength);

    [LoggerMessage(Level = LogLevel.Information, Message = "Up to date: {MemberCount} members and {GroupCount} groups match the last sync; nothing posted")]
    private partial void LogUpToDate(int memberCount, int groupCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Dry run: would post {RequestCount} requests (members changed: {MembersChanged}, groups changed: {GroupsChanged})")]
    private partial void LogDryRun(int requestCount, bool membersChanged, bool groupsChanged);

    [LoggerMessage(Level = LogLevel.Information, Message = "Synced in {RequestCount} requests ({PostedMembers} members and {PostedGroups} groups of changed shards posted); {MemberCount} members, {GroupCount} groups; {Changes}")]
    private partial void LogSynced(int requestCount, int postedMembers, int postedGroups, int memberCount, int groupCount, string changes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The import stopped after {Applied} of {RequestCount} requests; the shards those requests completed are recorded, so the next sync posts only the rest")]
    private partial void LogPartialImport(int applied, int requestCount);
}
