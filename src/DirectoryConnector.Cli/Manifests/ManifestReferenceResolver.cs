using DirectoryConnector.Engine.Configuration;

namespace DirectoryConnector.Cli.Manifests;

/// <summary>Resolves a DirectorySync's Secret and ConfigMap references from the manifests given with -f,
/// in the DirectorySync's namespace (a manifest without a namespace matches any, as kubectl would apply both to one).</summary>
internal sealed class ManifestReferenceResolver(ManifestSet manifests, string? directorySyncNamespace) : IReferenceResolver
{
    /// <summary>The CLI runs as its user, with that user's files: a file source's path is what the user gave.</summary>
    public bool AllowsLocalFiles => true;

    public Task<string> GetSecretValueAsync(string secretName, string key, string keyField, CancellationToken cancellationToken)
        => Task.FromResult(Find(manifests.Secrets, "Secret", secretName, key, keyField));

    public Task<string> GetConfigMapValueAsync(string configMapName, string key, string keyField, CancellationToken cancellationToken)
        => Task.FromResult(Find(manifests.ConfigMaps, "ConfigMap", configMapName, key, keyField));

    private string Find(List<KeyValueManifest> candidates, string kind, string name, string key, string keyField)
    {
        var found = candidates.LastOrDefault(m => m.Name == name
            && (m.Namespace is null || directorySyncNamespace is null || m.Namespace == directorySyncNamespace));
        if (found is null)
        {
            var location = directorySyncNamespace is null
                ? "in the files given with -f"
                : $"in the files given with -f (in namespace \"{directorySyncNamespace}\" or without one)";
            throw ReferenceErrors.NotFound(kind, name, keyField, location,
                "add its manifest with another -f (in a cluster: create it in the DirectorySync's namespace)");
        }

        return found.Values.TryGetValue(key, out var value)
            ? value
            : throw ReferenceErrors.MissingKey(kind, name, key, keyField, "given with -f", found.Values.Keys);
    }
}
