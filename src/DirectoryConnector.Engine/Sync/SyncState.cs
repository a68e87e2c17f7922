namespace DirectoryConnector.Engine.Sync;

/// <summary>
/// What the engine remembers between syncs: the operator keeps it in the DirectorySync's status,
/// the CLI in its --state file. A sync whose hashes match posts nothing.
/// </summary>
public sealed record SyncState
{
    public string? MembersHash { get; init; }

    public string? GroupsHash { get; init; }

    public DateTimeOffset? LastSyncTime { get; init; }

    public DateTimeOffset? LastSuccessfulSyncTime { get; init; }

    public int? UserCount { get; init; }

    public int? GroupCount { get; init; }

    public int? SkippedCount { get; init; }
}
