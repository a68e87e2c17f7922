namespace DirectoryConnector.Engine.Planning;

/// <summary>What a sync changes in the organization, computed from the organization read before posting: what
/// people will notice, not the size of the payload. Lists hold emails (members) or names (groups).</summary>
public sealed class SyncChanges
{
    /// <summary>Invited (or staged): their external id and email are new to the organization.</summary>
    public IReadOnlyList<string> Added { get; init; } = [];

    /// <summary>Existing members without an external id, linked to their directory entry by email.</summary>
    public IReadOnlyList<string> Linked { get; init; } = [];

    /// <summary>Removed from the organization (prune, removeDisabled, deleted directory users, overwriteExisting).</summary>
    public IReadOnlyList<string> Removed { get; init; } = [];

    public IReadOnlyList<string> GroupsCreated { get; init; } = [];

    /// <summary>"old name → new name".</summary>
    public IReadOnlyList<string> GroupsRenamed { get; init; } = [];

    /// <summary>Deleted through the group API (an import never deletes groups).</summary>
    public IReadOnlyList<string> GroupsDeleted { get; init; } = [];

    public bool Any => Added.Count + Linked.Count + Removed.Count + GroupsCreated.Count + GroupsRenamed.Count + GroupsDeleted.Count > 0;

    /// <summary>"2 added, 1 removed, 1 group renamed", or "no member or group changes".</summary>
    public string Summary()
    {
        var parts = new List<string>();
        void Part(int count, string what)
        {
            if (count > 0)
            {
                parts.Add($"{count} {what}");
            }
        }

        Part(Added.Count, "added");
        Part(Linked.Count, "linked by email");
        Part(Removed.Count, "removed");
        Part(GroupsCreated.Count, GroupsCreated.Count == 1 ? "group created" : "groups created");
        Part(GroupsRenamed.Count, GroupsRenamed.Count == 1 ? "group renamed" : "groups renamed");
        Part(GroupsDeleted.Count, GroupsDeleted.Count == 1 ? "group deleted" : "groups deleted");
        return parts.Count == 0 ? "no member or group changes" : string.Join(", ", parts);
    }
}
