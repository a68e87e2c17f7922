namespace DirectoryConnector.Engine.Sources;

/// <summary>What to read from a source.</summary>
/// <param name="Users">Read users (they are read anyway when groups are, to resolve members).</param>
/// <param name="Groups">Read groups.</param>
/// <param name="IncludeDeleted">Also read deleted users (tombstones): only when the sync overwrites existing members,
/// because sending them as deleted removes members (upstream PR #548).</param>
public sealed record DirectoryQuery(bool Users, bool Groups, bool IncludeDeleted)
{
    /// <summary>The cursor this source returned with its last snapshot (<see cref="DirectorySnapshot.Cursor"/>), or
    /// null for a full read. The engine passes it only when the previous sync succeeded with the same source spec,
    /// filters and sync options and the last full read is younger than spec.sync.fullSyncInterval; a source that cannot
    /// use it (unknown format, expired, rejected) does a full read and says why in
    /// <see cref="DirectorySnapshot.FullReadReason"/>.</summary>
    public string? Cursor { get; init; }

    /// <summary>The sync removes disabled users: a source that must do extra work to tell them apart (or to find out
    /// that it cannot) does it only then.</summary>
    public bool RemoveDisabled { get; init; }
}
