using System.ComponentModel;
using DirectoryConnector.Engine.Configuration;
using k8s;
using k8s.Models;

namespace DirectoryConnector.Operator.Resources;

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

    [Description("Per-shard digests of the members last sent: members are bucketed by a hash of their external id into 256 shards, and a sync posts only the members of shards whose digest changed. Base64 of 256 × 16 bytes (5464 characters) whatever the directory's size.")]
    public string? MemberShards { get; set; }

    [Description("Per-shard digests of the groups last sent, like memberShards; a changed group is sent whole.")]
    public string? GroupShards { get; set; }

    [Description("Per-group digests of the groups last sent (base64 of 8 bytes a group, sorted): within a changed group shard only the groups whose digest is not among them are sent.")]
    public string? GroupDigests { get; set; }

    [Description("What the last sync ran with: generation, the sync-requested-at annotation and the referenced Secrets' versions. A change triggers a sync.")]
    public string? SyncedRevision { get; set; }

    [Description("Users sent by the last sync.")]
    public int? UserCount { get; set; }

    [Description("Groups sent by the last sync.")]
    public int? GroupCount { get; set; }

    [Description("Directory entries the last sync left out (sampleSkipped says which and why; the CLI's test lists them all).")]
    public int? SkippedCount { get; set; }

    [Description("A bounded sample of the directory entries the last sync left out, each as \"<kind> <entry>: <reason>\".")]
    public IList<string>? SampleSkipped { get; set; }

    [Description("What the last sync warned about in the directory's data (a second mail value ignored, removeDisabled without effect, ...), bounded in number and length.")]
    public IList<string>? Warnings { get; set; }

    [Description("The source's position in the directory's change history after the last successful sync (a delta link, a sync cookie, a content hash); the next sync reads only what changed from it. At most 8192 characters.")]
    public string? SourceCursor { get; set; }

    [Description("SHA-256 of the source spec, filters, sync options and organization the cursor was read with; a change makes the next sync read in full.")]
    public string? SourceCursorScope { get; set; }

    [Description("When the source last read the whole directory for a successful sync.")]
    public DateTime? LastFullReadTime { get; set; }

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

    [Description("External ids of the members this DirectorySync removed because their directory account was disabled and that are still disabled, encoded like managedMembers; enabled again, they are reported re-enabled.")]
    public string? RemovedDisabled { get; set; }

    [Description("The Bitwarden server and organization ({apiUrl}|{ORGANIZATION-ID}) that managedMembers, managedGroups and removedDisabled belong to; after spec.bitwarden moves to another organization, none of them is carried over.")]
    public string? Organization { get; set; }
}
