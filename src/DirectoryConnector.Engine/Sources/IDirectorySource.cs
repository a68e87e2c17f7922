namespace DirectoryConnector.Engine.Sources;

/// <summary>
/// A directory the sync reads from. One implementation per folder under Sources/, all with the same shape:
/// a spec (in Configuration/), a source class implementing this interface, and its protocol client.
/// </summary>
public interface IDirectorySource
{
    /// <summary>Reads users and groups. Throws <see cref="Sync.SyncFailedException"/> with a source reason
    /// (SourceAuthFailed, SourceUnavailable, InvalidSpec) when the directory cannot be read: a failed read
    /// must never look like an empty directory.</summary>
    Task<DirectorySnapshot> ReadAsync(DirectoryQuery query, CancellationToken cancellationToken);
}
