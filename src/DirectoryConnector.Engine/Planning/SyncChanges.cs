namespace DirectoryConnector.Engine.Planning;

/// <summary>What a sync changes in the organization, computed from the organization read before posting: what
/// people will notice, not the size of the payload. Lists hold emails (members) or names (groups).</summary>
public sealed class SyncChanges
{
    /// <summary>Invited (or staged): their external id and email are new to the organization.</summary>
    public IReadOnlyList<string> Added { get; init; } = [];

    /// <summary>Existing members without an external id, linked to their directory entry by email.</summary>
    public IReadOnlyList<string> Linked { get; init; } = [];

    /// <summary>Invited again after this DirectorySync removed them because their directory account was disabled
    /// (removeDisabled) and the account is enabled again. Not also in <see cref="Added"/>.</summary>
    public IReadOnlyList<string> ReEnabled { get; init; } = [];

    /// <summary>Removed from the organization (prune, removeDisabled, deleted directory users, overwriteExisting).</summary>
    public IReadOnlyList<string> Removed { get; init; } = [];

    /// <summary>Members added to or removed from groups, per group, sorted by group name: existing groups whose
    /// membership was read (GET /public/groups/{id}/member-ids), and new groups.</summary>
    public IReadOnlyList<GroupMembershipChange> GroupMemberships { get; init; } = [];

    /// <summary>False when the organization had too many synced groups to read every membership
    /// (<see cref="OrganizationPlanner.MaxGroupMembershipReads"/>): then only new groups' members are listed.</summary>
    public bool GroupMembershipsComplete { get; init; } = true;

    /// <summary>Members added to a group, counted per group.</summary>
    public int GroupMembersAdded => GroupMemberships.Sum(g => g.AddedMembers.Count);

    /// <summary>Members removed from a group, counted per group.</summary>
    public int GroupMembersRemoved => GroupMemberships.Sum(g => g.RemovedMembers.Count);

    public IReadOnlyList<string> GroupsCreated { get; init; } = [];

    /// <summary>"old name → new name".</summary>
    public IReadOnlyList<string> GroupsRenamed { get; init; } = [];

    /// <summary>Deleted through the group API (an import never deletes groups).</summary>
    public IReadOnlyList<string> GroupsDeleted { get; init; } = [];

    public bool Any => SyncChangeKind.All.Any(kind => kind.CountOf(this) > 0);

    /// <summary>"2 added, 1 re-enabled, 1 removed, 3 added to groups, 1 group renamed", or "no member or group changes".</summary>
    public string Summary()
    {
        var parts = SyncChangeKind.All.Select(kind => (Kind: kind, Count: kind.CountOf(this))).Where(c => c.Count > 0).Select(c => c.Kind.Describe(c.Count)).ToList();
        return parts.Count == 0 ? "no member or group changes" : string.Join(", ", parts);
    }
}
