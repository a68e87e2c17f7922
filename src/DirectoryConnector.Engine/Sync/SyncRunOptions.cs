namespace DirectoryConnector.Engine.Sync;

/// <summary>How one sync runs: Force posts everything and reads fully; DryRun stops before the POST.</summary>
public sealed record SyncRunOptions(bool Force = false, bool DryRun = false);
