namespace DirectoryConnector.Engine.Configuration;

/// <summary>
/// Reads the Secrets and ConfigMaps a spec references. Each host implements it: the operator from the
/// DirectorySync's own namespace, the CLI from the Secret and ConfigMap manifests given with -f.
/// </summary>
public interface IReferenceResolver
{
    /// <summary>Returns the value of a Secret key. Throws <see cref="Sync.SyncFailedException"/> with reason
    /// SecretNotFound when either is missing, made by <see cref="ReferenceErrors"/>: it names <paramref name="keyField"/>
    /// (the spec field naming the key, e.g. spec.bitwarden.apiKeySecretRef.clientIdKey), the Secret and key (never a value).</summary>
    Task<string> GetSecretValueAsync(string secretName, string key, string keyField, CancellationToken cancellationToken);

    /// <summary>Returns the value of a ConfigMap key; throws like <see cref="GetSecretValueAsync"/>.</summary>
    Task<string> GetConfigMapValueAsync(string configMapName, string key, string keyField, CancellationToken cancellationToken);

    /// <summary>Whether a spec may name files of this host (spec.source.file.path). Only the CLI's resolver says yes:
    /// in the operator such a path would read the operator pod's own files (its service-account token) on behalf of
    /// anyone who may create a DirectorySync. False unless a host opts in.</summary>
    bool AllowsLocalFiles => false;
}
