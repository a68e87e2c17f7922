using System.Globalization;

namespace DirectoryConnector.Engine.Planning;

/// <summary>
/// One kind of change a sync makes in the organization, as every report names it. <see cref="All"/> is the one list
/// the change summary, the operator's events and directorysync_changes_total, and the CLI's listing walk.
/// </summary>
/// <param name="Metric">The change label of directorysync_changes_total ("added", "group_member_added").</param>
/// <param name="One">How a count of one is named ("added", "group created").</param>
/// <param name="Many">How other counts are named ("added", "groups created").</param>
/// <param name="Line">How the CLI prints one entry, {0} being the entry ("added: {0}", "added to group {0}").</param>
public sealed record SyncChangeKind(string Metric, string One, string Many, string Line, Func<SyncChanges, int> CountOf, Func<SyncChanges, IEnumerable<string>> EntriesOf)
{
    public static readonly SyncChangeKind Added = Members("added", "added", c => c.Added);
    public static readonly SyncChangeKind ReEnabled = Members("reenabled", "re-enabled", c => c.ReEnabled);
    public static readonly SyncChangeKind Linked = new("linked", "linked by email", "linked by email", "linked: {0}", c => c.Linked.Count, c => c.Linked);
    public static readonly SyncChangeKind Removed = Members("removed", "removed", c => c.Removed);
    public static readonly SyncChangeKind GroupMembersAdded = new("group_member_added", "added to groups", "added to groups", "added to group {0}",
        c => c.GroupMembersAdded, c => Memberships(c, g => g.AddedMembers));
    public static readonly SyncChangeKind GroupMembersRemoved = new("group_member_removed", "removed from groups", "removed from groups", "removed from group {0}",
        c => c.GroupMembersRemoved, c => Memberships(c, g => g.RemovedMembers));
    public static readonly SyncChangeKind GroupsCreated = Groups("group_created", "created", c => c.GroupsCreated);
    public static readonly SyncChangeKind GroupsRenamed = Groups("group_renamed", "renamed", c => c.GroupsRenamed);
    public static readonly SyncChangeKind GroupsDeleted = Groups("group_deleted", "deleted", c => c.GroupsDeleted);

    /// <summary>Every kind, in the order reports list them.</summary>
    public static IReadOnlyList<SyncChangeKind> All { get; } =
        [Added, ReEnabled, Linked, Removed, GroupMembersAdded, GroupMembersRemoved, GroupsCreated, GroupsRenamed, GroupsDeleted];

    /// <summary>"3 added", "1 group created".</summary>
    public string Describe(int count) => string.Create(CultureInfo.InvariantCulture, $"{count} {(count == 1 ? One : Many)}");

    /// <summary>The CLI's line for one entry: "added: ann@example.com", "added to group Dev: ann@example.com, ben@example.com".</summary>
    public string LineFor(string entry) => string.Format(CultureInfo.InvariantCulture, Line, entry);

    private static SyncChangeKind Members(string metric, string name, Func<SyncChanges, IReadOnlyList<string>> list)
        => new(metric, name, name, name + ": {0}", c => list(c).Count, list);

    private static SyncChangeKind Groups(string metric, string verb, Func<SyncChanges, IReadOnlyList<string>> list)
        => new(metric, "group " + verb, "groups " + verb, "group " + verb + ": {0}", c => list(c).Count, list);

    /// <summary>"Dev: ann@example.com, ben@example.com" for each group with members in the given direction.</summary>
    private static IEnumerable<string> Memberships(SyncChanges changes, Func<GroupMembershipChange, IReadOnlyList<string>> members)
        => changes.GroupMemberships.Where(g => members(g).Count > 0).Select(g => $"{g.Group}: {string.Join(", ", members(g))}");
}
