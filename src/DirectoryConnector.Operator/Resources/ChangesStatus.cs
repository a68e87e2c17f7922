using System.ComponentModel;
using DirectoryConnector.Engine.Planning;

namespace DirectoryConnector.Operator.Resources;

[Description("What a sync changed (a dry run: would change) in the organization, as counted from the organization read before posting.")]
public sealed class ChangesStatus
{
    /// <summary>The counts and bounded samples of <paramref name="changes"/> and <paramref name="conflicts"/>: the one
    /// place both status.lastChanges and status.dryRun.changes come from.</summary>
    public static ChangesStatus From(SyncChanges changes, IReadOnlyList<ServerConflict> conflicts, int sampleSize)
    {
        ArgumentNullException.ThrowIfNull(changes);
        ArgumentNullException.ThrowIfNull(conflicts);
        return new ChangesStatus
        {
            Added = changes.Added.Count,
            ReEnabled = changes.ReEnabled.Count,
            Linked = changes.Linked.Count,
            GroupMembersAdded = changes.GroupMembersAdded,
            GroupMembersRemoved = changes.GroupMembersRemoved,
            SampleGroupMemberships = [.. changes.GroupMemberships.Take(sampleSize).Select(g => g.ToString())],
            Removed = changes.Removed.Count,
            GroupsCreated = changes.GroupsCreated.Count,
            GroupsRenamed = changes.GroupsRenamed.Count,
            GroupsDeleted = changes.GroupsDeleted.Count,
            Conflicts = conflicts.Count,
            SampleConflicts = [.. conflicts.Take(sampleSize).Select(c => c.ToString())],
        };
    }

    [Description("Members invited (or staged).")]
    public int Added { get; set; }

    [Description("Members invited again because their directory account, disabled and removed with removeDisabled, is enabled again.")]
    public int ReEnabled { get; set; }

    [Description("Existing members without an external id linked to their directory entry by email.")]
    public int Linked { get; set; }

    [Description("Members removed.")]
    public int Removed { get; set; }

    [Description("Members added to groups, counted per group.")]
    public int GroupMembersAdded { get; set; }

    [Description("Members removed from groups, counted per group.")]
    public int GroupMembersRemoved { get; set; }

    [Description("A bounded sample of the groups whose members changed, as \"Dev: +ann@example.com, -ben@example.com\".")]
    public IList<string> SampleGroupMemberships { get; set; } = [];

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
