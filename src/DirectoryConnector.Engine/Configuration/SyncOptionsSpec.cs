using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace DirectoryConnector.Engine.Configuration;

[Description("What the sync sends.")]
public sealed class SyncOptionsSpec
{
    [Description("Syncs users as organization members.")]
    public bool Users { get; set; } = true;

    [Description("Syncs groups and their flattened membership.")]
    public bool Groups { get; set; } = true;

    [Description("Removes disabled users from the organization instead of keeping them as members.")]
    public bool RemoveDisabled { get; set; }

    [Description("Removes every member with an external id that the directory no longer lists. Refused when the import needs more than one request.")]
    public bool OverwriteExisting { get; set; }

    /// <summary>The shortest fullSyncInterval: incremental reads exist to avoid full reads, not to replace them.</summary>
    public const string MinimumFullSyncInterval = "1m";

    [Description("Sources that can read only what changed (delta queries, sync cookies) still read everything at least this often, and after every spec change, as a duration such as 24h.")]
    [RegularExpression(DurationFormat.Pattern)]
    [StringLength(64)]
    [MinimumDuration(MinimumFullSyncInterval)]
    public string FullSyncInterval { get; set; } = "24h";

    [Description("Kept for compatibility with the original connector; imports over 2000 entries are always split.")]
    public bool LargeImport { get; set; }

    [Description("Removes members and groups this DirectorySync manages (external ids it sent itself) that the directory no longer has. Owners, members without an external id and members it never sent are never touched. Works with batching and pending invites, unlike overwriteExisting.")]
    public bool Prune { get; set; }

    [RegularExpression(@"^\d{1,9}%?$")]
    [Description("Most members (and, separately, groups) one sync may remove without approval: a count such as 25 or a percentage of the managed members such as 10% (at least 1). Default 10%. A sync over it posts nothing, sets Ready=False reason DeletionGuardTriggered, and waits for the annotation directoryconnector.dev/approve-deletions=<plan hash>.")]
    public string? MaxDeletions { get; set; }
}
