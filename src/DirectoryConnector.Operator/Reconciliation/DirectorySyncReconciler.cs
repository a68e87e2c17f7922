using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Planning;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sync;
using DirectoryConnector.Operator.Resources;
using DirectoryConnector.Operator.Runtime;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace DirectoryConnector.Operator.Reconciliation;

/// <summary>
/// Reconciles one DirectorySync: reads it fresh, decides whether a sync is due, runs it, and writes status (only when it
/// changed) with kstatus conditions, counts and the revision it ran with. Events are recorded on Ready transitions only.
/// </summary>
public sealed partial class DirectorySyncReconciler(
    IDirectorySyncStore store,
    ISyncRunner runner,
    SpecValidator validator,
    Func<string, IReferenceResolver> resolverForNamespace,
    Func<string, string, string?> referenceVersion,
    OperatorMetrics metrics,
    TimeProvider time,
    ILogger<DirectorySyncReconciler> logger,
    StartupJitter? startupJitter = null)
{
    public const int SampleSize = 10;

    // Statuses of syncs Bitwarden accepted whose status write then failed, by key: the retry writes them instead of
    // syncing again, so the next sync compares against what was posted rather than re-posting everything.
    private readonly ConcurrentDictionary<string, (string? Uid, DirectorySyncStatus Status)> unsaved = new(StringComparer.Ordinal);

    /// <summary>Reconciles "namespace/name". Throws <see cref="RequeueWithBackoffException"/> when the work queue should back off.</summary>
    public async Task<ReconcileResult> ReconcileAsync(string key, CancellationToken cancellationToken)
    {
        var (namespaceName, name) = ObjectKey.Split(key);
        var resource = await store.GetAsync(namespaceName, name, cancellationToken).ConfigureAwait(false);
        if (resource is null)
        {
            metrics.Forget(namespaceName, name);
            return ReconcileResult.Done;
        }

        if (resource.Metadata.DeletionTimestamp is not null)
        {
            return ReconcileResult.Done;
        }

        if (unsaved.TryGetValue(key, out var pending))
        {
            if (pending.Uid == resource.Metadata.Uid)
            {
                LogWritingUnsavedStatus(logger, namespaceName, name);
                await WriteStatusAsync(resource, resource.Status, Clone(pending.Status)!, cancellationToken).ConfigureAwait(false);
            }

            unsaved.TryRemove(key, out _);
        }

        var original = resource.Status;
        var status = Clone(original) ?? new DirectorySyncStatus();
        status.Conditions ??= [];
        var generation = resource.Metadata.Generation;
        var spec = resource.Spec;
        var now = Now();

        if (resource.Metadata.CreationTimestamp is { } created)
        {
            metrics.Created.WithLabels(name, namespaceName).Set(new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)).ToUnixTimeSeconds());
        }

        if (status.LastSuccessfulSyncTime is { } lastSuccess)
        {
            // After a restart or a leader change the gauge continues from the status, so staleness stays visible.
            metrics.LastSuccess.WithLabels(name, namespaceName).Set(new DateTimeOffset(DateTime.SpecifyKind(lastSuccess, DateTimeKind.Utc)).ToUnixTimeSeconds());
        }

        if (spec.Suspend)
        {
            metrics.Interval.RemoveLabelled(name, namespaceName);
            status.ObservedGeneration = generation;
            status.NextSyncTime = null;
            Conditions.Set(status.Conditions, Conditions.Ready, Conditions.False, Conditions.ReasonSuspended, "Syncing is suspended (spec.suspend is true); the organization is left as last synced. Set spec.suspend to false to resume.", generation, now);
            Conditions.Set(status.Conditions, Conditions.Reconciling, Conditions.False, Conditions.ReasonSuspended, "Suspended.", generation, now);
            Conditions.Set(status.Conditions, Conditions.Stalled, Conditions.False, Conditions.ReasonSuspended, "Suspended.", generation, now);
            await WriteStatusAsync(resource, original, status, cancellationToken).ConfigureAwait(false);
            return ReconcileResult.Done;
        }

        var revision = CurrentRevision(resource);
        var intervalProblem = SpecValidator.IntervalProblem(spec.Interval);
        if (intervalProblem is not null || !DurationFormat.TryParse(spec.Interval, out var interval))
        {
            metrics.Interval.RemoveLabelled(name, namespaceName);
            var failure = new SyncFailedException(SyncFailureReason.InvalidSpec, $"spec.interval: {intervalProblem}", retryable: false);
            return await FailAsync(resource, original, status, revision, failure, interval: null, cancellationToken).ConfigureAwait(false);
        }

        metrics.Interval.WithLabels(name, namespaceName).Set(interval.TotalSeconds);
        var decision = SyncDecision.Decide(status, revision, interval, now);
        if (!decision.Due)
        {
            return new ReconcileResult(decision.RequeueAfter);
        }

        if ((startupJitter ?? StartupJitter.None).HoldUntil(decision.Trigger, resource.Metadata.Uid ?? key, interval, time.GetUtcNow()) is { } heldUntil)
        {
            LogSyncHeld(logger, namespaceName, name, decision.Trigger, heldUntil);
            return new ReconcileResult(heldUntil - time.GetUtcNow());
        }

        LogSyncStarting(logger, namespaceName, name, decision.Trigger);
        status.ObservedGeneration = generation;
        status.SourceType = spec.Source?.Kind;
        var insecureBefore = Conditions.Find(status.Conditions, Conditions.InsecureTransport);
        var check = validator.Check(spec);
        SetInsecureTransport(status, check.Insecure, generation, now);
        if (Conditions.Find(status.Conditions, Conditions.Ready) is null)
        {
            Conditions.Set(status.Conditions, Conditions.Ready, Conditions.Unknown, Conditions.ReasonProgressing, "The first sync is running.", generation, now);
        }

        Conditions.Set(status.Conditions, Conditions.Reconciling, Conditions.True, Conditions.ReasonProgressing, $"Syncing from the {spec.Source?.Kind ?? "configured"} source ({Describe(decision.Trigger)}).", generation, now);
        await WriteStatusAsync(resource, original, status, cancellationToken).ConfigureAwait(false);
        original = Clone(status);
        if (insecureBefore is null && Conditions.Find(status.Conditions, Conditions.InsecureTransport) is { } insecure)
        {
            await RecordEventAsync(resource, "Warning", Conditions.InsecureTransport, insecure.Message, cancellationToken).ConfigureAwait(false);
        }

        var started = Stopwatch.GetTimestamp();
        SyncOutcome outcome;
        try
        {
            var others = spec.Sync.Prune ? await ManagedByOthersAsync(resource, cancellationToken).ConfigureAwait(false) : null;
            outcome = await runner.RunAsync(check, resolverForNamespace(namespaceName), SyncStateStatus.Previous(status),
                new SyncRunOptions(Force: decision.Force, DryRun: spec.DryRun, ApprovedDeletions: Approval(resource, status), ManagedByOthers: others), cancellationToken).ConfigureAwait(false);
        }
        catch (SyncFailedException failure)
        {
            metrics.SyncDuration.WithLabels(name, namespaceName).Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
            return await FailAsync(resource, original, status, revision, failure, interval, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogSyncCrashed(logger, ex, namespaceName, name);
            now = Now();
            status.LastSyncTime = now;
            Conditions.Set(status.Conditions, Conditions.Ready, Conditions.False, Conditions.ReasonUnexpectedError, $"The sync failed unexpectedly ({ex.GetType().Name}); it is retried with backoff. The operator logs have the details.", generation, now);
            Conditions.Set(status.Conditions, Conditions.Reconciling, Conditions.False, Conditions.ReasonUnexpectedError, "The last sync failed; retrying with backoff.", generation, now);
            Conditions.Set(status.Conditions, Conditions.Stalled, Conditions.False, Conditions.ReasonUnexpectedError, "Retrying.", generation, now);
            metrics.SyncTotal.WithLabels(name, namespaceName, "error").Inc();
            metrics.SyncErrors.WithLabels(name, namespaceName, Conditions.ReasonUnexpectedError).Inc();
            await WriteStatusAsync(resource, original, status, cancellationToken).ConfigureAwait(false);
            throw new RequeueWithBackoffException($"Sync of {key} failed unexpectedly.", ex);
        }

        metrics.SyncDuration.WithLabels(name, namespaceName).Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        now = Now();
        ApplySuccess(status, outcome, spec, revision, generation, interval, now);
        metrics.SyncTotal.WithLabels(name, namespaceName, outcome.Result switch
        {
            SyncResult.Synced => "success",
            SyncResult.UpToDate => "unchanged",
            _ => "dry_run",
        }).Inc();
        if (outcome.Result != SyncResult.DryRun)
        {
            metrics.LastSuccess.WithLabels(name, namespaceName).Set(new DateTimeOffset(now).ToUnixTimeSeconds());
            metrics.DirectoryObjects.WithLabels(name, namespaceName, "user").Set(status.UserCount ?? 0);
            metrics.DirectoryObjects.WithLabels(name, namespaceName, "group").Set(status.GroupCount ?? 0);
        }

        metrics.PendingDeletions.WithLabels(name, namespaceName, "member").Set(0);
        metrics.PendingDeletions.WithLabels(name, namespaceName, "group").Set(0);
        if (outcome.Result == SyncResult.Synced && outcome.Changes is { } changes)
        {
            foreach (var kind in SyncChangeKind.All)
            {
                metrics.Changes.WithLabels(name, namespaceName, kind.Metric).Inc(kind.CountOf(changes));
            }

            metrics.Changes.WithLabels(name, namespaceName, "conflict").Inc(outcome.Conflicts.Count);
        }

        LogSyncFinished(logger, namespaceName, name, outcome.Result, status.UserCount ?? 0, status.GroupCount ?? 0);
        try
        {
            await WriteStatusAsync(resource, original, status, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            unsaved[key] = (resource.Metadata.Uid, Clone(status)!);
            throw new RequeueWithBackoffException($"Synced {key} but could not write its status ({ex.Message}); retrying the status write.", ex);
        }

        if (outcome.Result == SyncResult.Synced && outcome.Changes is { Any: true } changed)
        {
            // Every change is news, not only Ready transitions.
            await RecordEventAsync(resource, "Normal", "OrganizationChanged", ChangesMessage(changed), cancellationToken).ConfigureAwait(false);
        }

        if (outcome.Conflicts.Count > 0 && outcome.Result != SyncResult.DryRun)
        {
            await RecordEventAsync(resource, "Warning", "ConflictsSkipped",
                string.Create(CultureInfo.InvariantCulture, $"{outcome.Conflicts.Count} directory entries were left out because Bitwarden would fail on them: ")
                + string.Join(" | ", outcome.Conflicts.Take(3)), cancellationToken).ConfigureAwait(false);
        }

        return new ReconcileResult(interval);
    }

    /// <summary>The event a Ready change deserves, if any: only transitions are announced, never repeats.</summary>
    public static (string Type, string Reason, string Message)? TransitionEvent(V1Condition? before, V1Condition after)
    {
        ArgumentNullException.ThrowIfNull(after);
        var flipped = before?.Status != after.Status;
        return after.Status switch
        {
            Conditions.True when flipped => ("Normal", "Synced", after.Message),
            Conditions.False when after.Reason == Conditions.ReasonSuspended && (flipped || before?.Reason != after.Reason) => ("Normal", Conditions.ReasonSuspended, after.Message),
            Conditions.False when after.Reason == nameof(SyncFailureReason.DeletionGuardTriggered) && (flipped || before?.Reason != after.Reason || before?.Message != after.Message)
                => ("Warning", nameof(SyncFailureReason.DeletionGuardTriggered), after.Message),
            Conditions.False when flipped || before?.Reason != after.Reason => ("Warning", "SyncFailed", $"{after.Reason}: {after.Message}"),
            _ => null,
        };
    }

    private async Task<ReconcileResult> FailAsync(DirectorySync resource, DirectorySyncStatus? original, DirectorySyncStatus status, SyncRevision revision, SyncFailedException failure, TimeSpan? interval, CancellationToken cancellationToken)
    {
        var (namespaceName, name, generation) = (resource.Metadata.NamespaceProperty, resource.Metadata.Name, resource.Metadata.Generation);
        var now = Now();
        var reason = failure.Reason.ToString();
        LogSyncFailed(logger, namespaceName, name, reason, failure.Retryable, failure.Message);
        status.ObservedGeneration = generation;
        status.SourceType = resource.Spec.Source?.Kind;
        status.LastSyncTime = now;
        if (failure.PartialState is { } partial)
        {
            // An interrupted import: the shards it completed advance, so the next sync posts only the rest.
            SyncStateStatus.Record(status, partial);
        }

        Conditions.Set(status.Conditions!, Conditions.Ready, Conditions.False, reason, failure.Message, generation, now);
        if (failure.Retryable)
        {
            Conditions.Set(status.Conditions!, Conditions.Reconciling, Conditions.False, reason, "The last sync failed; retrying with backoff.", generation, now);
            Conditions.Set(status.Conditions!, Conditions.Stalled, Conditions.False, reason, "Retrying: the failure may be temporary.", generation, now);
            status.NextSyncTime = null;
        }
        else
        {
            // Retrying cannot fix it: remember what failed so only a change (or the interval) starts the next attempt.
            status.SyncedRevision = revision.ToString();
            status.NextSyncTime = interval is { } next ? now + next : null;
            Conditions.Set(status.Conditions!, Conditions.Reconciling, Conditions.False, reason, "Waiting for the DirectorySync or its Secrets to change.", generation, now);
            Conditions.Set(status.Conditions!, Conditions.Stalled, Conditions.True, reason, failure.Message, generation, now);
        }

        if (failure.DeletionGuard is { } guard)
        {
            status.DeletionGuard = new DeletionGuardStatus
            {
                MemberRemovals = guard.MemberRemovals,
                MemberLimit = guard.MemberLimit,
                ManagedMembers = guard.ManagedMembers,
                GroupDeletions = guard.GroupDeletions,
                GroupLimit = guard.GroupLimit,
                PlanHash = guard.PlanHash,
                Sample = [.. guard.Sample],
            };
            metrics.PendingDeletions.WithLabels(name, namespaceName, "member").Set(guard.MemberRemovals);
            metrics.PendingDeletions.WithLabels(name, namespaceName, "group").Set(guard.GroupDeletions);
        }

        metrics.SyncTotal.WithLabels(name, namespaceName, "error").Inc();
        metrics.SyncErrors.WithLabels(name, namespaceName, reason).Inc();
        await WriteStatusAsync(resource, original, status, cancellationToken).ConfigureAwait(false);
        if (failure.Retryable)
        {
            throw new RequeueWithBackoffException($"Sync of {namespaceName}/{name} failed: {reason}.", failure);
        }

        return new ReconcileResult(interval);
    }

    // A warning condition beside Ready, present only while the spec opts into weaker transport security.
    private static void SetInsecureTransport(DirectorySyncStatus status, IReadOnlyList<SpecError> insecure, long? generation, DateTime now)
    {
        if (insecure.Count == 0)
        {
            if (Conditions.Find(status.Conditions, Conditions.InsecureTransport) is { } resolved)
            {
                status.Conditions!.Remove(resolved);
            }

            return;
        }

        Conditions.Set(status.Conditions!, Conditions.InsecureTransport, Conditions.True, Conditions.ReasonInsecureSettings,
            string.Join("; ", insecure) + ".", generation, now);
    }

    private static void ApplySuccess(DirectorySyncStatus status, SyncOutcome outcome, DirectorySyncSpec spec, SyncRevision revision, long? generation, TimeSpan interval, DateTime now)
    {
        var plan = outcome.Plan;
        var users = outcome.State.UserCount ?? plan?.Members.Count(m => !m.Deleted) ?? 0;
        var groups = outcome.State.GroupCount ?? plan?.Groups.Count ?? 0;
        var skipped = outcome.State.SkippedCount ?? plan?.Skipped.Count ?? 0;
        var skippedText = skipped == 0 ? "" : $"; {skipped} directory entries skipped (see `directory-connector test`)";
        status.ObservedGeneration = generation;
        status.SourceType = spec.Source?.Kind;
        status.LastSyncTime = now;
        status.NextSyncTime = now + interval;
        status.SyncedRevision = revision.ToString();
        status.UserCount = users;
        status.GroupCount = groups;
        status.SkippedCount = skipped;
        if (plan is not null)
        {
            // Without a plan (the source reported no change) the last full read's report still holds. StatusLimits
            // bounds every list; the last line says how many more there are.
            status.SampleSkipped = plan.Skipped.Count == 0 ? null : SkippedSample(plan.Skipped);
            status.Warnings = plan.Warnings.Count == 0 ? null : WithMore(plan.Warnings);
        }

        status.DeletionGuard = null;
        if (outcome.Changes is { } changes && outcome.Result != SyncResult.DryRun && (changes.Any || outcome.Conflicts.Count > 0))
        {
            status.LastChanges = ChangesStatus.From(changes, outcome.Conflicts, SampleSize);
        }

        string reason;
        string message;
        if (outcome.Result == SyncResult.DryRun)
        {
            // Nothing was posted: the hashes and the last successful sync stay as they were.
            var members = outcome.Requests.SelectMany(r => r.Members).ToList();
            var groupRequests = outcome.Requests.SelectMany(r => r.Groups).ToList();
            status.DryRun = new DryRunStatus
            {
                Members = members.Count,
                RemovedMembers = members.Count(m => m.Deleted),
                Groups = groupRequests.Count,
                Requests = outcome.Requests.Count,
                SampleMembers = [.. members.Select(m => m.Deleted ? $"{m.Email} (remove)" : m.Email).Take(SampleSize)],
                SampleGroups = [.. groupRequests.Select(g => g.Name).Take(SampleSize)],
                SampleSkipped = SkippedSample(plan?.Skipped ?? []),
                Changes = outcome.Changes is { } wouldChange ? ChangesStatus.From(wouldChange, outcome.Conflicts, SampleSize) : null,
            };
            reason = Conditions.ReasonDryRun;
            var wouldText = outcome.Changes is { } would ? $"; it would make these changes: {would.Summary()}" : "";
            var conflictText = outcome.Conflicts.Count == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $"; {outcome.Conflicts.Count} entries would be left out because Bitwarden would fail on them (status.dryRun.changes.sampleConflicts)");
            message = string.Create(CultureInfo.InvariantCulture, $"Dry run: would send {members.Count} members ({status.DryRun.RemovedMembers} removals) and {groupRequests.Count} groups in {outcome.Requests.Count} requests{wouldText}{conflictText}; nothing was posted{skippedText}.");
        }
        else
        {
            status.DryRun = null;
            // A hash the engine left null (entries held back by a conflict) must stay null so the next sync posts again.
            SyncStateStatus.Record(status, outcome.State);
            status.LastSuccessfulSyncTime = now;
            status.ApprovedDeletions = outcome.ApprovedDeletions ?? status.ApprovedDeletions;
            var changeText = outcome.Changes is { } changes2 ? $": {changes2.Summary()}" : "";
            var conflictText = outcome.Conflicts.Count == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $"; {outcome.Conflicts.Count} entries left out because Bitwarden would fail on them (status.lastChanges.sampleConflicts)");
            (reason, message) = outcome.Result == SyncResult.UpToDate
                ? (Conditions.ReasonUpToDate, string.Create(CultureInfo.InvariantCulture, $"Up to date: {users} users and {groups} groups, unchanged since the last sync{(outcome.SourceUnchanged ? " (the source reported no change)" : "")}{skippedText}."))
                : (Conditions.ReasonSynced, string.Create(CultureInfo.InvariantCulture, $"Synced {users} users and {groups} groups{changeText}{conflictText}{skippedText}."));
        }

        Conditions.Set(status.Conditions!, Conditions.Ready, Conditions.True, reason, message, generation, now);
        Conditions.Set(status.Conditions!, Conditions.Reconciling, Conditions.False, reason, "Idle until the next sync is due.", generation, now);
        Conditions.Set(status.Conditions!, Conditions.Stalled, Conditions.False, reason, "Not stalled.", generation, now);
    }

    private async Task WriteStatusAsync(DirectorySync resource, DirectorySyncStatus? original, DirectorySyncStatus status, CancellationToken cancellationToken)
    {
        StatusLimits.Apply(status);
        var before = ToJson(original);
        var after = ToJson(status)!;
        if (before is not null && JsonNode.DeepEquals(before, after))
        {
            return;
        }

        // A merge patch leaves out what it does not name: fields that became null are sent as explicit nulls.
        var patch = (JsonObject)after.DeepClone();
        foreach (var (field, _) in before ?? [])
        {
            if (!patch.ContainsKey(field))
            {
                patch[field] = null;
            }
        }

        await store.PatchStatusAsync(resource, patch, cancellationToken).ConfigureAwait(false);
        resource.Status = Clone(status);

        var (namespaceName, name) = (resource.Metadata.NamespaceProperty, resource.Metadata.Name);
        foreach (var condition in status.Conditions ?? [])
        {
            metrics.SetCondition(namespaceName, name, condition.Type, condition.Status, condition.Reason);
        }

        if (Conditions.Find(status.Conditions, Conditions.Ready) is { } ready
            && TransitionEvent(Conditions.Find(original?.Conditions, Conditions.Ready), ready) is { } ev)
        {
            await RecordEventAsync(resource, ev.Type, ev.Reason, ev.Message, cancellationToken).ConfigureAwait(false);
        }
    }

    private SyncRevision CurrentRevision(DirectorySync resource)
    {
        var namespaceName = resource.Metadata.NamespaceProperty;
        var references = SpecReferences.Of(resource.Spec).ToDictionary(
            r => r,
            r => referenceVersion(namespaceName, r) ?? SyncRevision.Missing,
            StringComparer.Ordinal);
        string? requestedAt = null;
        string? approval = null;
        resource.Metadata.Annotations?.TryGetValue(DirectorySync.SyncRequestedAtAnnotation, out requestedAt);
        resource.Metadata.Annotations?.TryGetValue(DirectorySync.ApproveDeletionsAnnotation, out approval);
        // An approval is a request to sync now, like sync-requested-at.
        var requested = string.IsNullOrEmpty(approval) ? requestedAt : $"{requestedAt}\napprove={approval}";
        return new SyncRevision(resource.Metadata.Generation ?? 0, SyncRevision.FingerprintOf(requested), references);
    }

    /// <summary>What the other DirectorySyncs of this namespace feeding the same organization manage (read fresh), so
    /// that prune hands a user who moved into their scope over instead of removing it.</summary>
    private async Task<ManagedByOthers> ManagedByOthersAsync(DirectorySync resource, CancellationToken cancellationToken)
    {
        var all = await store.ListAsync(resource.Metadata.NamespaceProperty, cancellationToken).ConfigureAwait(false);
        return ManagedByOthers.From(all
            .Where(other => other.Metadata.Name != resource.Metadata.Name && other.Spec?.Bitwarden is { } bitwarden
                && ManagedByOthers.SameOrganization(resource.Spec.Bitwarden, bitwarden))
            .Select(other => SyncStateStatus.Of(other.Status)));
    }

    /// <summary>The approval annotation's plan hash, unless that approval was already used.</summary>
    private static string? Approval(DirectorySync resource, DirectorySyncStatus status)
    {
        string? approval = null;
        resource.Metadata.Annotations?.TryGetValue(DirectorySync.ApproveDeletionsAnnotation, out approval);
        return string.IsNullOrWhiteSpace(approval) || string.Equals(approval.Trim(), status.ApprovedDeletions, StringComparison.OrdinalIgnoreCase) ? null : approval.Trim();
    }

    /// <summary>The skipped entries as status lists them, whether status.sampleSkipped or status.dryRun.sampleSkipped.</summary>
    private static List<string> SkippedSample(IReadOnlyList<SkippedEntry> skipped)
        => WithMore([.. SkippedEntry.InReportOrder(skipped).Select(e => e.ToString())]);

    /// <summary>The first lines, and when there are more than <see cref="StatusLimits.MaxEntries"/>, a last line saying how many more.</summary>
    private static List<string> WithMore(IReadOnlyList<string> lines)
        => lines.Count <= StatusLimits.MaxEntries
            ? [.. lines]
            : [.. lines.Take(StatusLimits.MaxEntries - 1), string.Create(CultureInfo.InvariantCulture, $"… and {lines.Count - StatusLimits.MaxEntries + 1} more (directory-connector test lists them all)")];

    /// <summary>"1 re-enabled (ben@example.com); 2 added to groups (Dev: ben@example.com, SRE: ann@example.com)".</summary>
    private static string ChangesMessage(SyncChanges changes)
    {
        static string Some(IReadOnlyList<string> items) => " (" + string.Join(", ", items.Take(SampleSize)) + (items.Count > SampleSize ? ", …" : "") + ")";
        return string.Join("; ", SyncChangeKind.All
            .Select(kind => (Kind: kind, Count: kind.CountOf(changes), Entries: kind.EntriesOf(changes).ToList()))
            .Where(c => c.Count > 0)
            .Select(c => c.Kind.Describe(c.Count) + Some(c.Entries)));
    }

    private async Task RecordEventAsync(DirectorySync resource, string type, string reason, string message, CancellationToken cancellationToken)
    {
        try
        {
            await store.RecordEventAsync(resource, type, reason, message, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // An event is a courtesy; failing to record one must not fail the sync, but it is logged and counted.
            metrics.EventWriteErrors.WithLabels(reason).Inc();
            LogEventFailed(logger, ex, resource.Metadata.NamespaceProperty, resource.Metadata.Name, reason);
        }
    }

    private static string Describe(SyncTrigger trigger) => trigger switch
    {
        SyncTrigger.NeverSynced => "first sync",
        SyncTrigger.Interrupted => "the previous sync was interrupted",
        SyncTrigger.SpecChanged => "the spec changed",
        SyncTrigger.SyncRequested => $"requested with {DirectorySync.SyncRequestedAtAnnotation}",
        SyncTrigger.ReferenceChanged => "a referenced Secret or ConfigMap changed",
        SyncTrigger.RetryAfterFailure => "retrying after a failure",
        _ => "the interval elapsed",
    };

    private DateTime Now() => Conditions.Truncate(time.GetUtcNow().UtcDateTime);

    private static JsonObject? ToJson(DirectorySyncStatus? status)
        => status is null ? null : JsonNode.Parse(KubernetesJson.Serialize(status)) as JsonObject;

    private static DirectorySyncStatus? Clone(DirectorySyncStatus? status)
        => status is null ? null : KubernetesJson.Deserialize<DirectorySyncStatus>(KubernetesJson.Serialize(status));

    [LoggerMessage(Level = LogLevel.Information, Message = "Syncing {Namespace}/{Name}: {Trigger}")]
    private static partial void LogSyncStarting(ILogger logger, string @namespace, string name, SyncTrigger trigger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sync of {Namespace}/{Name} ({Trigger}) waits until {At:u}: start-up jitter spreads the first syncs")]
    private static partial void LogSyncHeld(ILogger logger, string @namespace, string name, SyncTrigger trigger, DateTimeOffset at);

    [LoggerMessage(Level = LogLevel.Information, Message = "Synced {Namespace}/{Name}: {Result}, {Users} users, {Groups} groups")]
    private static partial void LogSyncFinished(ILogger logger, string @namespace, string name, SyncResult result, int users, int groups);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sync of {Namespace}/{Name} failed: {Reason} (retryable: {Retryable}): {Detail}")]
    private static partial void LogSyncFailed(ILogger logger, string @namespace, string name, string reason, bool retryable, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sync of {Namespace}/{Name} failed unexpectedly")]
    private static partial void LogSyncCrashed(ILogger logger, Exception exception, string @namespace, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Writing the status of the last sync of {Namespace}/{Name}, which its previous status write failed to save")]
    private static partial void LogWritingUnsavedStatus(ILogger logger, string @namespace, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record event {Reason} for {Namespace}/{Name}")]
    private static partial void LogEventFailed(ILogger logger, Exception exception, string @namespace, string name, string reason);
}
