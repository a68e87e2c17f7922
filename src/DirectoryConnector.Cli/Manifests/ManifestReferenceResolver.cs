using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sync;

namespace DirectoryConnector.Cli.Manifests;

/// <summary>Resolves a DirectorySync's Secret and ConfigMap references from the manifests given with -f,
/// in the DirectorySync's namespace (a manifest without a namespace matches any, as kubectl would apply both to one).</summary>
internal sealed class ManifestReferenceResolver(ManifestSet manifests, string? directorySyncNamespace) : IReferenceResolver
{
    /// <summary>The CLI runs as its user, with that user's files: a file source's path is what the user gave.</summary>
    public bool AllowsLocalFiles => true;

    public Task<string> GetSecretValueAsync(string secretName, string key, CancellationToken cancellationToken)
        => Task.FromResult(Find(manifests.Secrets, "Secret", secretName, key));

    public Task<string> GetConfigMapValueAsync(string configMapName, string key, CancellationToken cancellationToken)
        => Task.FromResult(Find(manifests.ConfigMaps, "ConfigMap", configMapName, key));

    private string Find(List<KeyValueManifest> candidates, string kind, string name, string key)
    {
        var found = candidates.LastOrDefault(m => m.Name == name
            && (m.Namespace is null || directorySyncNamespace is null || m.Namespace == directorySyncNamespace));
        if (found is null)
        {
            throw new SyncFailedException(SyncFailureReason.SecretNotFound,
                $"{kind} \"{name}\" was not found in the files given with -f; add its manifest with another -f", retryable: false);
        }

        return found.Values.TryGetValue(key, out var value)
            ? value
            : throw new SyncFailedException(SyncFailureReason.SecretNotFound,
                $"{kind} \"{name}\" has no key \"{key}\" (it has: {string.Join(", ", found.Values.Keys.Order(StringComparer.Ordinal))})", retryable: false);
    }
}
