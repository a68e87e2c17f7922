using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sync;

namespace DirectoryConnector.Engine.Tests.Sources;

/// <summary>Secrets and ConfigMaps as the CLI would read them from manifests.</summary>
internal sealed class InMemoryReferences : IReferenceResolver
{
    /// <summary>As the CLI: a file source may name a path.</summary>
    public bool AllowsLocalFiles { get; init; } = true;

    public Dictionary<(string Name, string Key), string> Secrets { get; } = [];

    public Dictionary<(string Name, string Key), string> ConfigMaps { get; } = [];

    public Task<string> GetSecretValueAsync(string secretName, string key, string keyField, CancellationToken cancellationToken)
        => Secrets.TryGetValue((secretName, key), out var value)
            ? Task.FromResult(value)
            : throw new SyncFailedException(SyncFailureReason.SecretNotFound, $"Secret {secretName} has no key {key}.", retryable: false);

    public Task<string> GetConfigMapValueAsync(string configMapName, string key, string keyField, CancellationToken cancellationToken)
        => ConfigMaps.TryGetValue((configMapName, key), out var value)
            ? Task.FromResult(value)
            : throw new SyncFailedException(SyncFailureReason.SecretNotFound, $"ConfigMap {configMapName} has no key {key}.", retryable: false);
}
