using System.ComponentModel;

namespace DirectoryConnector.Operator.Resources;

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
