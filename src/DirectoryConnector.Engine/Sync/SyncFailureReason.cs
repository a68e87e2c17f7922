namespace DirectoryConnector.Engine.Sync;

/// <summary>Why a sync failed. The operator turns these into condition reasons (same names).</summary>
public enum SyncFailureReason
{
    /// <summary>The spec cannot run as written (bad field, contradictory options). Retrying cannot fix it.</summary>
    InvalidSpec,

    /// <summary>A referenced Secret or key (or ConfigMap) does not exist.</summary>
    SecretNotFound,

    /// <summary>The directory rejected the credentials.</summary>
    SourceAuthFailed,

    /// <summary>The directory could not be reached, timed out, or answered with a server error.</summary>
    SourceUnavailable,

    /// <summary>The directory rejected the query (bad filter, missing base DN). Retrying cannot fix it.</summary>
    SourceQueryFailed,

    /// <summary>The source returned nothing where users were expected; syncing would remove everyone.</summary>
    SourceEmpty,

    /// <summary>Bitwarden rejected the organization API key.</summary>
    BitwardenAuthFailed,

    /// <summary>Bitwarden refused or failed the import.</summary>
    BitwardenImportFailed,

    /// <summary>Bitwarden could not be reached, timed out, throttled past the retry budget, or answered 5xx.</summary>
    BitwardenUnavailable,

    /// <summary>The directory contains entries that make a safe sync impossible (e.g. duplicate emails with overwriteExisting).</summary>
    DirectoryConflict,

    /// <summary>The organization holds members the import would fail on every time (two members with one external id,
    /// two unlinked members with one email, invited members overwriteExisting would remove). Fixed in Bitwarden by hand.</summary>
    OrganizationConflict,

    /// <summary>The sync would remove more members or groups than spec.sync.maxDeletions allows; nothing was posted.
    /// Approve exactly that plan with the directoryconnector.dev/approve-deletions annotation (or --approve-deletions).</summary>
    DeletionGuardTriggered,

    /// <summary>The server lacks the public members and groups API that spec.sync.prune needs (Vaultwarden).</summary>
    BitwardenApiUnsupported,
}
