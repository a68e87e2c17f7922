namespace DirectoryConnector.Engine.Sync;

/// <summary>How one sync runs: Force posts everything and reads fully; DryRun stops before the POST.</summary>
/// <param name="ApprovedDeletions">The plan hash of removals an administrator approved past spec.sync.maxDeletions.</param>
/// <param name="ManagedByOthers">What the other DirectorySyncs feeding the same organization manage: never pruned by this one.</param>
public sealed record SyncRunOptions(bool Force = false, bool DryRun = false, string? ApprovedDeletions = null, ManagedByOthers? ManagedByOthers = null);
