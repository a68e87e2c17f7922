using System.ComponentModel;
using DirectoryConnector.Engine.Configuration;
using k8s;
using k8s.Models;

namespace DirectoryConnector.Operator.Resources;

/// <summary>The DirectorySync custom resource: the engine's spec plus the status the operator keeps.</summary>
[KubernetesEntity(Group = Group, ApiVersion = Version, Kind = KindName, PluralName = Plural)]
public sealed class DirectorySync : IKubernetesObject<V1ObjectMeta>, ISpec<DirectorySyncSpec>, IStatus<DirectorySyncStatus?>
{
    public const string Group = "directoryconnector.dev";
    public const string Version = "v1alpha1";
    public const string KindName = "DirectorySync";
    public const string Plural = "directorysyncs";

    /// <summary>Annotation whose change forces a sync now (its value is usually a timestamp).</summary>
    public const string SyncRequestedAtAnnotation = "directoryconnector.dev/sync-requested-at";

    /// <summary>Annotation approving one plan of removals past spec.sync.maxDeletions: its value is the plan hash that
    /// status.deletionGuard.planHash shows. It approves that plan only, and only once.</summary>
    public const string ApproveDeletionsAnnotation = "directoryconnector.dev/approve-deletions";

    public string ApiVersion { get; set; } = $"{Group}/{Version}";

    public string Kind { get; set; } = KindName;

    public V1ObjectMeta Metadata { get; set; } = new();

    public DirectorySyncSpec Spec { get; set; } = new();

    public DirectorySyncStatus? Status { get; set; }
}

/// <summary>A list response of DirectorySyncs.</summary>
public sealed class DirectorySyncList : IKubernetesObject<V1ListMeta>, IItems<DirectorySync>
{
    public string ApiVersion { get; set; } = $"{DirectorySync.Group}/{DirectorySync.Version}";

    public string Kind { get; set; } = "DirectorySyncList";

    public V1ListMeta Metadata { get; set; } = new();

    public IList<DirectorySync> Items { get; set; } = [];
}

[Description("The observed state of the sync.")]
public sealed class DirectorySyncStatus
{
    [Description("The metadata.generation this status describes.")]
    public long? ObservedGeneration { get; set; }

    [Description("Ready (primary), Reconciling (a sync is running) and Stalled (an error that retrying cannot fix).")]
    public IList<V1Condition>? Conditions { get; set; }

    [Description("The kind of source: ldap, file, …")]
    public string? SourceType { get; set; }

    [Description("When the last sync attempt completed.")]
    public DateTime? LastSyncTime { get; set; }

    [Description("When the last successful sync completed.")]
    public DateTime? LastSuccessfulSyncTime { get; set; }

    [Description("When the next periodic sync is due.")]
    public DateTime? NextSyncTime { get; set; }

    [Description("SHA-256 of the members part last sent; a sync whose members hash matches posts no members.")]
    public string? MembersHash { get; set; }

    [Description("SHA-256 of the groups part last sent; a sync whose groups hash matches posts no groups.")]
    public string? GroupsHash { get; set; }

    [Description("What the last sync ran with: generation, the sync-requested-at annotation and the referenced Secrets' versions. A change triggers a sync.")]
    public string? SyncedRevision { get; set; }

    [Description("Users sent by the last sync.")]
    public int? UserCount { get; set; }

    [Description("Groups sent by the last sync.")]
    public int? GroupCount { get; set; }

    [Description("Directory entries the last sync left out (see events and the CLI's test for why).")]
    public int? SkippedCount { get; set; }

    [Description("With spec.dryRun: what would have been sent.")]
    public DryRunStatus? DryRun { get; set; }

    [Description("What the last sync that changed something changed in the organization.")]
    public ChangesStatus? LastChanges { get; set; }

    [Description("Set while a sync waits for approval because it would remove more than spec.sync.maxDeletions allows.")]
    public DeletionGuardStatus? DeletionGuard { get; set; }

    [Description("The plan hash of the last removals approved with the directoryconnector.dev/approve-deletions annotation; an approval is used once.")]
    public string? ApprovedDeletions { get; set; }

    [Description("External ids of the members this DirectorySync manages (sent by its own syncs and not removed since): newline-separated, gzip-compressed, base64. Only these are ever pruned.")]
    public string? ManagedMembers { get; set; }

    [Description("External ids of the groups this DirectorySync manages, encoded like managedMembers.")]
    public string? ManagedGroups { get; set; }
}

[Description("What a sync changed in the organization, as counted from the organization read before posting.")]
public sealed class ChangesStatus
{
    [Description("Members invited (or staged).")]
    public int Added { get; set; }

    [Description("Existing members without an external id linked to their directory entry by email.")]
    public int Linked { get; set; }

    [Description("Members removed.")]
    public int Removed { get; set; }

    [Description("Groups created.")]
    public int GroupsCreated { get; set; }

    [Description("Groups renamed.")]
    public int GroupsRenamed { get; set; }

    [Description("Groups deleted (prune).")]
    public int GroupsDeleted { get; set; }

    [Description("Directory entries left out because the server would fail on them (see events).")]
    public int Conflicts { get; set; }

    [Description("A bounded sample of the conflicts, each with the fix.")]
    public IList<string> SampleConflicts { get; set; } = [];
}

[Description("A sync stopped by spec.sync.maxDeletions.")]
public sealed class DeletionGuardStatus
{
    [Description("Members the sync would remove.")]
    public int MemberRemovals { get; set; }

    [Description("Members maxDeletions allows to remove.")]
    public int MemberLimit { get; set; }

    [Description("Members this DirectorySync manages (what a percentage is of).")]
    public int ManagedMembers { get; set; }

    [Description("Groups the sync would delete.")]
    public int GroupDeletions { get; set; }

    [Description("Groups maxDeletions allows to delete.")]
    public int GroupLimit { get; set; }

    [Description("The hash of exactly these removals: annotate directoryconnector.dev/approve-deletions=<planHash> to approve them.")]
    public string PlanHash { get; set; } = "";

    [Description("A bounded sample of who and what would go.")]
    public IList<string> Sample { get; set; } = [];
}

[Description("What a dry run would have sent.")]
public sealed class DryRunStatus
{
    [Description("Members that would be sent (including removals).")]
    public int Members { get; set; }

    [Description("Members that would be removed.")]
    public int RemovedMembers { get; set; }

    [Description("Groups that would be sent.")]
    public int Groups { get; set; }

    [Description("Import requests that would be posted.")]
    public int Requests { get; set; }

    [Description("A bounded sample of the member emails that would be sent.")]
    public IList<string> SampleMembers { get; set; } = [];

    [Description("A bounded sample of the group names that would be sent.")]
    public IList<string> SampleGroups { get; set; } = [];

    [Description("A bounded sample of skipped entries with the reason.")]
    public IList<string> SampleSkipped { get; set; } = [];
}
