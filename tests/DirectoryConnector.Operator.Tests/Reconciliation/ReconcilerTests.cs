using System.Text.Json.Nodes;
using DirectoryConnector.Engine.Bitwarden;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Planning;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sync;
using DirectoryConnector.Operator.Reconciliation;
using DirectoryConnector.Operator.Resources;
using DirectoryConnector.Operator.Runtime;
using FluentAssertions;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using DirectoryConnector.TestSupport;
using Xunit;
using DirectoryConnector.Engine.Sources.Ldap;

namespace DirectoryConnector.Operator.Tests.Reconciliation;

/// <summary>The reconciler's status and event rules, with the API and the engine replaced by in-memory doubles.</summary>
public sealed class ReconcilerTests
{
    private const string Key = "team/corp";
    private readonly ManualTime time = new(new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero));
    private readonly InMemoryStore store = new();
    private readonly ScriptedRunner runner = new();
    private readonly Dictionary<string, string> secretVersions = new() { ["secret/bw-key"] = "10", ["secret/ldap-password"] = "20" };
    private readonly DirectorySyncReconciler reconciler;

    public ReconcilerTests()
    {
        reconciler = new DirectorySyncReconciler(store, runner, EngineServices.Validator, _ => new NoReferences(), (_, reference) => secretVersions.GetValueOrDefault(reference), new OperatorMetrics(), time, NullLogger<DirectorySyncReconciler>.Instance);
        store.Resource = new DirectorySync
        {
            Metadata = new V1ObjectMeta { Name = "corp", NamespaceProperty = "team", Generation = 1, Uid = "u1" },
            Spec = new DirectorySyncSpec
            {
                Interval = "15m",
                Bitwarden = new BitwardenSpec { ApiKeySecretRef = new ApiKeySecretRef { Name = "bw-key" } },
                Source = new SourceSpec { Ldap = new LdapSourceSpec { Hostname = "127.0.0.1", RootPath = "dc=x", Username = "cn=admin", PasswordSecretRef = new SecretKeyRef { Name = "ldap-password", Key = "password" } } },
            },
        };
    }

    [Fact]
    public async Task AFirstSyncWritesReadyWithCountsAndRecordsOneSyncedEvent()
    {
        runner.Next = _ => Outcome(SyncResult.Synced, users: 3, groups: 2);

        var result = await reconciler.ReconcileAsync(Key, CancellationToken.None);

        result.RequeueAfter.Should().Be(TimeSpan.FromMinutes(15));
        var status = store.Resource!.Status!;
        Condition(status, "Ready").Should().BeEquivalentTo(new { Status = "True", Reason = "Synced" }, o => o.ExcludingMissingMembers());
        Condition(status, "Reconciling").Status.Should().Be("False");
        Condition(status, "Stalled").Status.Should().Be("False");
        status.Should().BeEquivalentTo(new { UserCount = 3, GroupCount = 2, SkippedCount = 1, ObservedGeneration = 1L, SourceType = "ldap", MembersHash = "mh", GroupsHash = "gh" }, o => o.ExcludingMissingMembers());
        status.LastSuccessfulSyncTime.Should().Be(time.GetUtcNow().UtcDateTime);
        status.NextSyncTime.Should().Be(time.GetUtcNow().UtcDateTime.AddMinutes(15));
        Condition(status, "Ready").Message.Should().Contain("3 users").And.Contain("2 groups");
        store.Events.Should().ContainSingle().Which.Should().Be(("Normal", "Synced", Condition(status, "Ready").Message));
    }

    [Fact]
    public async Task ADeletionGuardStopsWithNumbersASampleAWarningAndAMetricThenTheAnnotationApprovesThatPlanOnce()
    {
        var metrics = new OperatorMetrics();
        var guarded = new DirectorySyncReconciler(store, runner, EngineServices.Validator, _ => new NoReferences(), (_, reference) => secretVersions.GetValueOrDefault(reference), metrics, time, NullLogger<DirectorySyncReconciler>.Instance);
        var report = new DeletionGuardReport(40, 10, 100, 0, 2, 12, ["ann@example.com (external id cn=ann)"], "0123456789abcdef");
        runner.Next = _ => throw new SyncFailedException(SyncFailureReason.DeletionGuardTriggered, DeletionGuard.Describe(report), retryable: false) { DeletionGuard = report };

        var result = await guarded.ReconcileAsync(Key, CancellationToken.None);

        result.RequeueAfter.Should().Be(TimeSpan.FromMinutes(15), "it waits for the approval (or the next interval), it does not hammer");
        var status = store.Resource!.Status!;
        Condition(status, "Ready").Should().BeEquivalentTo(new { Status = "False", Reason = "DeletionGuardTriggered" }, o => o.ExcludingMissingMembers());
        Condition(status, "Ready").Message.Should().Contain("40 of 100 managed members (maxDeletions allows 10)").And.Contain("ann@example.com")
            .And.Contain("directoryconnector.dev/approve-deletions=0123456789abcdef");
        Condition(status, "Stalled").Status.Should().Be("True");
        status.DeletionGuard.Should().BeEquivalentTo(new { MemberRemovals = 40, MemberLimit = 10, ManagedMembers = 100, PlanHash = "0123456789abcdef" }, o => o.ExcludingMissingMembers());
        store.Events.Should().ContainSingle().Which.Should().Be(("Warning", "DeletionGuardTriggered", Condition(status, "Ready").Message));
        metrics.PendingDeletions.WithLabels("corp", "team", "member").Value.Should().Be(40);

        // The administrator approves that plan: the annotation starts a sync that carries the approval.
        store.Resource.Metadata.Annotations = new Dictionary<string, string> { [DirectorySync.ApproveDeletionsAnnotation] = "0123456789abcdef" };
        runner.Next = _ => Outcome(SyncResult.Synced, users: 60, groups: 2) with { ApprovedDeletions = "0123456789abcdef" };
        await guarded.ReconcileAsync(Key, CancellationToken.None);

        runner.LastOptions!.ApprovedDeletions.Should().Be("0123456789abcdef");
        store.Resource.Status!.DeletionGuard.Should().BeNull();
        store.Resource.Status.ApprovedDeletions.Should().Be("0123456789abcdef");
        metrics.PendingDeletions.WithLabels("corp", "team", "member").Value.Should().Be(0);

        // The annotation stays, but a used approval is not offered to the next sync.
        time.Advance(TimeSpan.FromMinutes(16));
        runner.Next = _ => Outcome(SyncResult.UpToDate, users: 60, groups: 2);
        await guarded.ReconcileAsync(Key, CancellationToken.None);
        runner.LastOptions!.ApprovedDeletions.Should().BeNull();
    }

    [Fact]
    public async Task WhatASyncChangedReachesStatusAndANormalEventAndConflictsAWarning()
    {
        runner.Next = _ => Outcome(SyncResult.Synced, users: 3, groups: 2) with
        {
            Changes = new SyncChanges { Added = ["ann@example.com"], Removed = ["dan@example.com"], GroupsRenamed = ["Ops → SRE"] },
            Conflicts = [new ServerConflict("cn=Ben", "its external id belongs to the member ben@old.example …")],
            State = new SyncState { MembersHash = null, GroupsHash = "gh", UserCount = 3, GroupCount = 2, SkippedCount = 1, ManagedMembers = ["cn=Ann", "cn=Ben"], ManagedGroups = ["cn=SRE"] },
        };

        await reconciler.ReconcileAsync(Key, CancellationToken.None);

        var status = store.Resource!.Status!;
        status.LastChanges.Should().BeEquivalentTo(new { Added = 1, Removed = 1, GroupsRenamed = 1, Conflicts = 1 }, o => o.ExcludingMissingMembers());
        status.MembersHash.Should().BeNull("the entry left out must be posted (and checked) again next time");
        ManagedSetEncoding.Decode(status.ManagedMembers).Should().Equal("cn=Ann", "cn=Ben");
        Condition(status, "Ready").Message.Should().Contain("1 added, 1 removed, 1 group renamed").And.Contain("1 entries left out");
        store.Events.Should().Contain(("Normal", "OrganizationChanged", "1 added (ann@example.com); 1 removed (dan@example.com); 1 group renamed (Ops → SRE)"));
        store.Events.Should().Contain(e => e.Type == "Warning" && e.Reason == "ConflictsSkipped" && e.Message.Contains("cn=Ben", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReEnabledMembersAndGroupMembershipChangesReachStatusEventsAndMetrics()
    {
        var metrics = new OperatorMetrics();
        var reporting = new DirectorySyncReconciler(store, runner, EngineServices.Validator, _ => new NoReferences(), (_, reference) => secretVersions.GetValueOrDefault(reference), metrics, time, NullLogger<DirectorySyncReconciler>.Instance);
        runner.Next = _ => Outcome(SyncResult.Synced, users: 3, groups: 2) with
        {
            Changes = new SyncChanges
            {
                ReEnabled = ["ben@example.com"],
                GroupMemberships = [new GroupMembershipChange("Dev", ["ben@example.com"], ["ann@example.com"]), new GroupMembershipChange("SRE", ["ann@example.com"], [])],
            },
            State = new SyncState { MembersHash = "mh", GroupsHash = "gh", UserCount = 3, GroupCount = 2, SkippedCount = 1, RemovedDisabled = ["cn=Cat"] },
        };

        await reporting.ReconcileAsync(Key, CancellationToken.None);

        var status = store.Resource!.Status!;
        status.LastChanges.Should().BeEquivalentTo(new { ReEnabled = 1, GroupMembersAdded = 2, GroupMembersRemoved = 1 }, o => o.ExcludingMissingMembers());
        status.LastChanges!.SampleGroupMemberships.Should().Equal("Dev: +ben@example.com, -ann@example.com", "SRE: +ann@example.com");
        ManagedSetEncoding.Decode(status.RemovedDisabled).Should().Equal("cn=Cat");
        Condition(status, "Ready").Message.Should().Contain("1 re-enabled, 2 added to groups, 1 removed from groups");
        store.Events.Should().Contain(("Normal", "OrganizationChanged",
            "1 re-enabled (ben@example.com); 2 added to groups (Dev: ben@example.com, SRE: ann@example.com); 1 removed from groups (Dev: ann@example.com)"));
        metrics.Changes.WithLabels("corp", "team", "reenabled").Value.Should().Be(1);
        metrics.Changes.WithLabels("corp", "team", "group_member_added").Value.Should().Be(2);
        metrics.Changes.WithLabels("corp", "team", "group_member_removed").Value.Should().Be(1);
    }

    [Fact]
    public async Task StatusNamesTheEntriesLeftOutAndTheWarningsBoundedInNumberAndLength()
    {
        var skipped = Enumerable.Range(0, 25).Select(i => new SkippedEntry($"cn=user{i:00},dc=x", SkippedEntryKind.User, "has no email address")).ToList();
        var longWarning = "cn=Mia,dc=x has a second mail value " + new string('x', 1000);
        runner.Next = _ =>
        {
            var outcome = Outcome(SyncResult.Synced, users: 3, groups: 2);
            return outcome with
            {
                Plan = new ImportPlan
                {
                    Members = outcome.Plan!.Members, Groups = outcome.Plan.Groups, OverwriteExisting = false, MembersHash = "mh", GroupsHash = "gh", Present = new DirectoryPresence(new HashSet<string>(), new HashSet<string>()),
                    Skipped = [.. skipped, new SkippedEntry("cn=Nobody,dc=x", SkippedEntryKind.Member, "matches no user")],
                    Warnings = [longWarning, "removeDisabled has no effect: the source cannot tell disabled users apart"],
                },
                State = outcome.State with { SkippedCount = 26 },
            };
        };

        await reconciler.ReconcileAsync(Key, CancellationToken.None);

        var status = store.Resource!.Status!;
        status.SkippedCount.Should().Be(26);
        status.SampleSkipped.Should().HaveCount(StatusLimits.MaxEntries);
        status.SampleSkipped![0].Should().Be("user cn=user00,dc=x: has no email address");
        status.SampleSkipped[^1].Should().Be("… and 17 more (directory-connector test lists them all)");
        status.Warnings.Should().HaveCount(2);
        status.Warnings![0].Should().HaveLength(StatusLimits.MaxEntryLength).And.StartWith("cn=Mia,dc=x has a second mail value").And.EndWith("(truncated)");
        status.Warnings[1].Should().Contain("removeDisabled has no effect");

        // A clean directory clears them.
        time.Advance(TimeSpan.FromMinutes(16));
        runner.Next = _ =>
        {
            var outcome = Outcome(SyncResult.Synced, users: 3, groups: 2);
            return outcome with { Plan = new ImportPlan { Members = outcome.Plan!.Members, Groups = outcome.Plan.Groups, OverwriteExisting = false, MembersHash = "mh2", GroupsHash = "gh", Skipped = [], Present = new DirectoryPresence(new HashSet<string>(), new HashSet<string>()) } };
        };
        await reconciler.ReconcileAsync(Key, CancellationToken.None);
        store.Resource.Status!.SampleSkipped.Should().BeNull();
        store.Resource.Status.Warnings.Should().BeNull();
    }

    [Fact]
    public async Task NothingDueMeansNoSyncNoStatusWriteAndARequeueForTheRemainingInterval()
    {
        runner.Next = _ => Outcome(SyncResult.Synced, users: 3, groups: 2);
        await reconciler.ReconcileAsync(Key, CancellationToken.None);
        var patches = store.Patches;
        time.Advance(TimeSpan.FromMinutes(5));

        var result = await reconciler.ReconcileAsync(Key, CancellationToken.None);

        result.RequeueAfter.Should().Be(TimeSpan.FromMinutes(10));
        runner.Calls.Should().Be(1);
        store.Patches.Should().Be(patches, "status is written only when it changed");
        store.Events.Should().HaveCount(1);
    }

    [Fact]
    public async Task RepeatedFailuresWithTheSameReasonRecordOneWarningAndRetryableOnesBackOff()
    {
        runner.Next = _ => Outcome(SyncResult.Synced, users: 3, groups: 2);
        await reconciler.ReconcileAsync(Key, CancellationToken.None);
        runner.Next = _ => throw new SyncFailedException(SyncFailureReason.SourceUnavailable, "LDAP server 127.0.0.1:389 did not answer.", retryable: true);
        store.Resource!.Metadata.Generation = 2;

        var first = () => reconciler.ReconcileAsync(Key, CancellationToken.None);
        await first.Should().ThrowAsync<RequeueWithBackoffException>();
        time.Advance(TimeSpan.FromSeconds(30));
        await first.Should().ThrowAsync<RequeueWithBackoffException>("Ready False without Stalled is retried");

        runner.Calls.Should().Be(3);
        var status = store.Resource.Status!;
        Condition(status, "Ready").Should().BeEquivalentTo(new { Status = "False", Reason = "SourceUnavailable", Message = "LDAP server 127.0.0.1:389 did not answer." }, o => o.ExcludingMissingMembers());
        Condition(status, "Stalled").Status.Should().Be("False");
        store.Events.Should().Equal(
            ("Normal", "Synced", "Synced 3 users and 2 groups; 1 directory entries skipped (see `directory-connector test`)."),
            ("Warning", "SyncFailed", "SourceUnavailable: LDAP server 127.0.0.1:389 did not answer."));
        status.LastSuccessfulSyncTime.Should().BeBefore(status.LastSyncTime!.Value);
        status.MembersHash.Should().Be("mh", "a failed sync keeps the hashes of the last successful one");
    }

    [Fact]
    public async Task AConfigurationErrorStallsAndWaitsForAChangeInsteadOfRetrying()
    {
        runner.Next = _ => throw new SyncFailedException(SyncFailureReason.SecretNotFound, "Secret \"bw-key\" was not found in namespace \"team\".", retryable: false);

        var result = await reconciler.ReconcileAsync(Key, CancellationToken.None);
        result.RequeueAfter.Should().Be(TimeSpan.FromMinutes(15));
        Condition(store.Resource!.Status!, "Stalled").Should().BeEquivalentTo(new { Status = "True", Reason = "SecretNotFound" }, o => o.ExcludingMissingMembers());
        store.Events.Should().ContainSingle().Which.Reason.Should().Be("SyncFailed");

        time.Advance(TimeSpan.FromMinutes(1));
        await reconciler.ReconcileAsync(Key, CancellationToken.None);
        runner.Calls.Should().Be(1, "retrying cannot fix it");

        secretVersions["secret/bw-key"] = "11";
        runner.Next = _ => Outcome(SyncResult.Synced, users: 1, groups: 0);
        await reconciler.ReconcileAsync(Key, CancellationToken.None);
        runner.Calls.Should().Be(2, "the referenced Secret changed");
        Condition(store.Resource.Status!, "Ready").Status.Should().Be("True");
        Condition(store.Resource.Status!, "Stalled").Status.Should().Be("False");
        store.Events.Select(e => e.Reason).Should().Equal("SyncFailed", "Synced");
    }

    [Fact]
    public async Task TheForceAnnotationSyncsAgainBypassingTheHashSkip()
    {
        runner.Next = _ => Outcome(SyncResult.Synced, users: 3, groups: 2);
        await reconciler.ReconcileAsync(Key, CancellationToken.None);
        store.Resource!.Metadata.Annotations = new Dictionary<string, string> { [DirectorySync.SyncRequestedAtAnnotation] = "2026-11-22T10:01:00Z" };

        await reconciler.ReconcileAsync(Key, CancellationToken.None);

        runner.Calls.Should().Be(2);
        runner.LastOptions!.Force.Should().BeTrue();
    }

    [Fact]
    public async Task SuspendStopsSyncingAndSaysSo()
    {
        store.Resource!.Spec.Suspend = true;

        var result = await reconciler.ReconcileAsync(Key, CancellationToken.None);

        result.RequeueAfter.Should().BeNull();
        runner.Calls.Should().Be(0);
        Condition(store.Resource.Status!, "Ready").Should().BeEquivalentTo(new { Status = "False", Reason = "Suspended" }, o => o.ExcludingMissingMembers());
        store.Events.Should().ContainSingle().Which.Should().Match<(string Type, string Reason, string Message)>(e => e.Type == "Normal" && e.Reason == "Suspended");

        time.Advance(TimeSpan.FromHours(2));
        await reconciler.ReconcileAsync(Key, CancellationToken.None);
        store.Patches.Should().Be(1, "an unchanged status is not written again");
        store.Events.Should().HaveCount(1);
    }

    [Fact]
    public async Task ADryRunRecordsWhatWouldBeSentAndKeepsTheHashes()
    {
        store.Resource!.Spec.DryRun = true;
        runner.Next = _ => Outcome(SyncResult.DryRun, users: 25, groups: 12);

        await reconciler.ReconcileAsync(Key, CancellationToken.None);

        runner.LastOptions!.DryRun.Should().BeTrue();
        var status = store.Resource.Status!;
        status.DryRun.Should().BeEquivalentTo(new { Members = 26, RemovedMembers = 1, Groups = 12, Requests = 1 }, o => o.ExcludingMissingMembers());
        status.DryRun!.SampleMembers.Should().HaveCount(DirectorySyncReconciler.SampleSize).And.Contain("user0@corp.example");
        status.DryRun.SampleGroups.Should().HaveCount(DirectorySyncReconciler.SampleSize);
        status.DryRun.SampleSkipped.Should().Equal("user cn=nomail,dc=x: no email");
        status.MembersHash.Should().BeNull("nothing was posted");
        status.LastSuccessfulSyncTime.Should().BeNull();
        Condition(status, "Ready").Reason.Should().Be("DryRun");
    }

    [Fact]
    public async Task ADryRunRecordsWhatItWouldChangeCountedAsASyncCountsItsChanges()
    {
        store.Resource!.Spec.DryRun = true;
        var changes = new SyncChanges
        {
            Added = ["ann@example.com"],
            ReEnabled = ["ben@example.com"],
            Removed = ["cat@example.com", "dan@example.com"],
            GroupsRenamed = ["Ops → SRE"],
            GroupMemberships = [new GroupMembershipChange("Dev", ["ann@example.com"], ["dan@example.com"])],
        };
        ServerConflict[] conflicts = [new ServerConflict("cn=Eve", "its external id belongs to the member eve@old.example …")];
        runner.Next = _ => Outcome(SyncResult.DryRun, users: 25, groups: 12) with { Changes = changes, Conflicts = conflicts };

        await reconciler.ReconcileAsync(Key, CancellationToken.None);

        var status = store.Resource.Status!;
        status.DryRun!.Changes.Should().BeEquivalentTo(ChangesStatus.From(changes, conflicts, DirectorySyncReconciler.SampleSize), "one rule counts both");
        status.DryRun.Changes.Should().BeEquivalentTo(new { Added = 1, ReEnabled = 1, Removed = 2, GroupsRenamed = 1, GroupMembersAdded = 1, GroupMembersRemoved = 1, Conflicts = 1 },
            o => o.ExcludingMissingMembers());
        status.DryRun.Changes!.SampleConflicts.Should().ContainSingle().Which.Should().Contain("cn=Eve");
        status.LastChanges.Should().BeNull("nothing changed yet");
        Condition(status, "Ready").Message.Should().Contain("it would make these changes: 1 added, 1 re-enabled, 2 removed, 1 added to groups, 1 removed from groups, 1 group renamed")
            .And.Contain("1 entries would be left out");
        store.Events.Should().NotContain(e => e.Reason == "OrganizationChanged" || e.Reason == "ConflictsSkipped", "a dry run changed nothing");
    }

    [Fact]
    public async Task PruneHandsTheEngineWhatTheOtherDirectorySyncsOfTheSameOrganizationManageAndNothingOfOthers()
    {
        DirectorySync Other(string name, string namespaceName, string secret, string? serverUrl, string[] members, string[] groups) => new()
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = namespaceName, Generation = 1, Uid = name },
            Spec = new DirectorySyncSpec
            {
                Bitwarden = new BitwardenSpec { ServerUrl = serverUrl ?? BitwardenSpec.CloudUs, ApiKeySecretRef = new ApiKeySecretRef { Name = secret } },
                Sync = new SyncOptionsSpec { Prune = true },
            },
            Status = new DirectorySyncStatus { ManagedMembers = ManagedSetEncoding.Encode(members), ManagedGroups = ManagedSetEncoding.Encode(groups) },
        };
        store.Others.AddRange([
            Other("sales", "team", "bw-key", null, ["cn=Sam", "cn=Ann"], ["cn=Sales"]),
            Other("support", "team", "bw-key", "https://vault.bitwarden.com/", ["cn=Sue"], []),
            Other("other-org", "team", "other-key", null, ["cn=Olga"], ["cn=Olga-Group"]),
            Other("eu", "team", "bw-key", "https://vault.bitwarden.eu", ["cn=Eu"], []),
            Other("elsewhere", "other-team", "bw-key", null, ["cn=Elsewhere"], []),
        ]);
        store.Resource!.Spec.Sync.Prune = true;
        runner.Next = _ => Outcome(SyncResult.Synced, users: 3, groups: 2);

        await reconciler.ReconcileAsync(Key, CancellationToken.None);

        runner.LastOptions!.ManagedByOthers!.Members.Should().BeEquivalentTo(["cn=Ann", "cn=Sam", "cn=Sue"],
            "the same namespace, server and API key Secret: one organization; its own set is not among them");
        runner.LastOptions.ManagedByOthers.Groups.Should().BeEquivalentTo(["cn=Sales"]);

        store.Resource.Spec.Sync.Prune = false;
        store.Resource.Metadata.Generation = 2;
        await reconciler.ReconcileAsync(Key, CancellationToken.None);
        runner.LastOptions.ManagedByOthers.Should().BeNull("without prune nothing is removed, so the others are not listed");
    }

    [Fact]
    public async Task AnIntervalBelowOneMinuteIsAnInvalidSpecNamingTheField()
    {
        store.Resource!.Spec.Interval = "30s";

        await reconciler.ReconcileAsync(Key, CancellationToken.None);

        runner.Calls.Should().Be(0);
        Condition(store.Resource.Status!, "Ready").Should().BeEquivalentTo(new { Reason = "InvalidSpec" }, o => o.ExcludingMissingMembers());
        Condition(store.Resource.Status!, "Ready").Message.Should().Contain("spec.interval");
    }

    [Theory]
    [InlineData(null, "True", "Synced", "Normal", "Synced")]
    [InlineData("False", "True", "Synced", "Normal", "Synced")]
    [InlineData("True", "True", "UpToDate", null, null)]
    [InlineData("True", "False", "SourceUnavailable", "Warning", "SyncFailed")]
    [InlineData("False", "False", "SourceUnavailable", null, null)]
    [InlineData("False", "False", "BitwardenAuthFailed", "Warning", "SyncFailed")]
    [InlineData("True", "False", "Suspended", "Normal", "Suspended")]
    public void EventsAreRecordedOnReadyTransitionsOnly(string? before, string after, string reason, string? eventType, string? eventReason)
    {
        var previous = before is null ? null : new V1Condition { Type = "Ready", Status = before, Reason = before == "False" ? "SourceUnavailable" : "Synced", Message = "m" };
        var ev = DirectorySyncReconciler.TransitionEvent(previous, new V1Condition { Type = "Ready", Status = after, Reason = reason, Message = "m" });
        ev?.Type.Should().Be(eventType);
        ev?.Reason.Should().Be(eventReason);
        (ev is null).Should().Be(eventType is null);
    }

    [Fact]
    public async Task AnInsecureOptInRaisesInsecureTransportWithOneWarningUntilTheSpecDropsIt()
    {
        store.Resource!.Spec.AllowInsecureHttp = true;
        store.Resource.Spec.Bitwarden.ServerUrl = "http://bitwarden.corp.example";
        store.Resource.Spec.Source.Ldap!.Encryption = LdapEncryption.Ldaps;
        store.Resource.Spec.Source.Ldap!.InsecureSkipVerify = true;
        runner.Next = _ => Outcome(SyncResult.Synced, users: 3, groups: 2);

        await reconciler.ReconcileAsync(Key, CancellationToken.None);

        var insecure = Condition(store.Resource!.Status!, Conditions.InsecureTransport);
        insecure.Should().BeEquivalentTo(new { Status = "True", Reason = "InsecureSettings", ObservedGeneration = 1L }, o => o.ExcludingMissingMembers());
        insecure.Message.Should().Contain("spec.bitwarden.serverUrl: uses http:// to bitwarden.corp.example")
            .And.Contain("spec.source.ldap.insecureSkipVerify: is true");
        Condition(store.Resource!.Status!, "Ready").Status.Should().Be("True", "an opt-in is a warning, not a failure");
        store.Events.Where(e => e.Type == "Warning").Should().ContainSingle().Which.Should().Be(("Warning", "InsecureTransport", insecure.Message));

        // A resync with the same spec says nothing new.
        time.Advance(TimeSpan.FromMinutes(16));
        await reconciler.ReconcileAsync(Key, CancellationToken.None);
        store.Events.Count(e => e.Reason == "InsecureTransport").Should().Be(1);

        store.Resource!.Spec.Bitwarden.ServerUrl = "https://vault.corp.example";
        store.Resource.Spec.AllowInsecureHttp = false;
        store.Resource.Spec.Source.Ldap!.InsecureSkipVerify = false;
        store.Resource.Metadata.Generation = 2;
        await reconciler.ReconcileAsync(Key, CancellationToken.None);

        runner.Calls.Should().Be(3);
        store.Resource!.Status!.Conditions.Should().NotContain(c => c.Type == Conditions.InsecureTransport);
    }

    private static V1Condition Condition(DirectorySyncStatus status, string type) => status.Conditions!.Single(c => c.Type == type);

    internal static SyncOutcome Outcome(SyncResult result, int users, int groups)
    {
        var members = Enumerable.Range(0, users).Select(i => new PlannedMember($"user{i}@corp.example", $"u{i}", false, false, $"cn=user{i}")).Append(new PlannedMember("gone@corp.example", "gone", false, true, "cn=gone")).ToList();
        var plannedGroups = Enumerable.Range(0, groups).Select(i => new PlannedGroup($"group{i}", $"g{i}", ["u0"], $"cn=group{i}")).ToList();
        var plan = new ImportPlan
        {
            Members = members,
            Groups = plannedGroups,
            Skipped = [new SkippedEntry("cn=nomail,dc=x", SkippedEntryKind.User, "no email")],
            OverwriteExisting = false,
            MembersHash = "mh",
            GroupsHash = "gh",
            Present = new DirectoryPresence(new HashSet<string>(), new HashSet<string>()),
        };
        var request = new OrganizationImportRequest(
            [.. plannedGroups.Select(g => new ImportGroupRequest(g.Name, g.ExternalId, g.MemberExternalIds))],
            [.. members.Select(m => new ImportMemberRequest(m.Email, m.ExternalId, m.Deleted))],
            false,
            false,
            true);
        return new SyncOutcome
        {
            Result = result,
            Plan = plan,
            Requests = [request],
            MembersChanged = true,
            GroupsChanged = true,
            State = new SyncState { MembersHash = "mh", GroupsHash = "gh", UserCount = users, GroupCount = groups, SkippedCount = 1 },
        };
    }

    internal sealed class ManualTime(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset now = now;

        public override DateTimeOffset GetUtcNow() => now;

        public void Advance(TimeSpan by) => now += by;
    }

    internal sealed class NoReferences : IReferenceResolver
    {
        public Task<string> GetSecretValueAsync(string secretName, string key, string keyField, CancellationToken cancellationToken) => throw new InvalidOperationException("not used");

        public Task<string> GetConfigMapValueAsync(string configMapName, string key, string keyField, CancellationToken cancellationToken) => throw new InvalidOperationException("not used");
    }

    internal sealed class ScriptedRunner : ISyncRunner
    {
        public Func<DirectorySyncSpec, SyncOutcome> Next { get; set; } = _ => throw new InvalidOperationException("no outcome scripted");

        public int Calls { get; private set; }

        public SyncRunOptions? LastOptions { get; private set; }

        public Task<SyncOutcome> RunAsync(CheckedSpec spec, IReferenceResolver references, SyncState? previous, SyncRunOptions options, CancellationToken cancellationToken)
        {
            Calls++;
            LastOptions = options;
            return Task.FromResult(Next(spec.Spec));
        }
    }

    /// <summary>Applies status merge patches by JSON merge (RFC 7386) and records events.</summary>
    internal sealed class InMemoryStore : IDirectorySyncStore
    {
        public DirectorySync? Resource { get; set; }

        public int Patches { get; private set; }

        public List<(string Type, string Reason, string Message)> Events { get; } = [];

        public Task<DirectorySync?> GetAsync(string namespaceName, string name, CancellationToken cancellationToken)
            => Task.FromResult(Resource is null ? null : KubernetesJson.Deserialize<DirectorySync>(KubernetesJson.Serialize(Resource)));

        /// <summary>Other DirectorySyncs of the namespace, listed beside <see cref="Resource"/>.</summary>
        public List<DirectorySync> Others { get; } = [];

        public Task<IReadOnlyList<DirectorySync>> ListAsync(string namespaceName, CancellationToken cancellationToken)
            => Task.FromResult<IReadOnlyList<DirectorySync>>([.. (Resource is null ? Others : [Resource, .. Others]).Where(d => d.Metadata.NamespaceProperty == namespaceName)]);

        public Task PatchStatusAsync(DirectorySync resource, JsonObject statusPatch, CancellationToken cancellationToken)
        {
            Patches++;
            var current = JsonNode.Parse(KubernetesJson.Serialize(Resource!.Status ?? new DirectorySyncStatus()))!.AsObject();
            foreach (var (field, value) in statusPatch)
            {
                current[field] = value?.DeepClone();
            }

            Resource.Status = KubernetesJson.Deserialize<DirectorySyncStatus>(current.ToJsonString());
            return Task.CompletedTask;
        }

        public Task RecordEventAsync(DirectorySync resource, string type, string reason, string message, CancellationToken cancellationToken)
        {
            Events.Add((type, reason, message));
            return Task.CompletedTask;
        }
    }
}
