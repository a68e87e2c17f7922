using DirectoryConnector.Engine.Bitwarden.Organization;

namespace DirectoryConnector.Engine.Planning;

/// <summary>The import plan checked against the organization: what to send, remove and delete, what was left out
/// because the server would fail on it, and what this DirectorySync manages once the sync succeeds.</summary>
public sealed class OrganizationPlan
{
    /// <summary>The plan to post: conflicting entries left out, pruned members added as deleted entries.</summary>
    public required ImportPlan Import { get; init; }

    /// <summary>Members the sync removes (deleted entries that match a member, prune, overwriteExisting).</summary>
    public required IReadOnlyList<OrganizationMember> MemberRemovals { get; init; }

    /// <summary>Groups deleted through the group API after the import.</summary>
    public required IReadOnlyList<OrganizationGroup> GroupDeletions { get; init; }

    public required IReadOnlyList<ServerConflict> Conflicts { get; init; }

    public required SyncChanges Changes { get; init; }

    /// <summary>The spec.sync.maxDeletions verdict and numbers (Triggered is false when within the limit).</summary>
    public required DeletionGuardReport Guard { get; init; }

    public bool GuardTriggered => Guard.MemberRemovals > Guard.MemberLimit || Guard.GroupDeletions > Guard.GroupLimit;

    /// <summary>External ids of the members this DirectorySync manages after the sync, sorted.</summary>
    public required IReadOnlyList<string> ManagedMembers { get; init; }

    /// <summary>External ids of the groups this DirectorySync manages after the sync, sorted.</summary>
    public required IReadOnlyList<string> ManagedGroups { get; init; }

    /// <summary>True when a planned group lists a member the import adds or links: such a member joins its groups only
    /// if the groups are posted too, even when their hash did not change (an entry left out for a conflict last time).</summary>
    public bool GroupsListNewMembers { get; init; }

    /// <summary>External ids this DirectorySync removed because their directory account was disabled and that the
    /// directory still lists as disabled, sorted: if one is enabled again, the sync reports it re-enabled.</summary>
    public IReadOnlyList<string> RemovedDisabled { get; init; } = [];
}
