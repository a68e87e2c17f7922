namespace DirectoryConnector.Engine.Planning;

/// <summary>What a sync stopped by spec.sync.maxDeletions would have removed.</summary>
/// <param name="MemberRemovals">Members it would remove.</param>
/// <param name="MemberLimit">What maxDeletions allows for <paramref name="ManagedMembers"/>.</param>
/// <param name="ManagedMembers">Members the limit is relative to (this DirectorySync's members in the organization).</param>
/// <param name="GroupDeletions">Groups it would delete.</param>
/// <param name="GroupLimit">What maxDeletions allows for <paramref name="ManagedGroups"/>.</param>
/// <param name="ManagedGroups">Groups the limit is relative to.</param>
/// <param name="Sample">Up to 10 of the members and groups that would go.</param>
/// <param name="PlanHash">Identifies exactly these removals: the value that approves them.</param>
public sealed record DeletionGuardReport(
    int MemberRemovals,
    int MemberLimit,
    int ManagedMembers,
    int GroupDeletions,
    int GroupLimit,
    int ManagedGroups,
    IReadOnlyList<string> Sample,
    string PlanHash);
