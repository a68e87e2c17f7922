namespace DirectoryConnector.Engine.Sync;

public enum SyncResult
{
    /// <summary>Changes were posted to Bitwarden.</summary>
    Synced,

    /// <summary>The hashes matched the previous state: nothing was posted.</summary>
    UpToDate,

    /// <summary>Dry run: everything but the POST.</summary>
    DryRun,

    /// <summary>The CLI's test: never calls Bitwarden.</summary>
    Previewed,
}
