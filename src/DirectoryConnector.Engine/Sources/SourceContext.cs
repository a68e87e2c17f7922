using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sync;

namespace DirectoryConnector.Engine.Sources;

/// <summary>What a provider needs to build its source: the whole spec and the DirectorySync's Secrets and ConfigMaps.</summary>
public sealed class SourceContext(DirectorySyncSpec spec, IReferenceResolver references)
{
    public DirectorySyncSpec Spec { get; } = spec ?? throw new ArgumentNullException(nameof(spec));

    /// <summary>spec.filters (never null).</summary>
    public FiltersSpec Filters => Spec.Filters ?? new FiltersSpec();

    /// <summary>The host's resolver: the operator reads the DirectorySync's namespace, the CLI the -f manifests.</summary>
    public IReferenceResolver References { get; } = references ?? throw new ArgumentNullException(nameof(references));

    /// <summary>The value of the Secret key <paramref name="reference"/> at <paramref name="path"/>. Throws
    /// SyncFailedException: InvalidSpec when the reference lacks a name or key, SecretNotFound when the Secret or key
    /// does not exist (naming them, never a value).</summary>
    public Task<string> GetSecretAsync(SecretKeyRef? reference, string path, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(reference?.Name) || string.IsNullOrWhiteSpace(reference.Key))
        {
            throw new SyncFailedException(SyncFailureReason.InvalidSpec, $"{path} needs a name and a key.", retryable: false);
        }

        return References.GetSecretValueAsync(reference.Name, reference.Key, cancellationToken);
    }

    /// <summary>As <see cref="GetSecretAsync"/> for a ConfigMap key.</summary>
    public Task<string> GetConfigMapAsync(ConfigMapKeyRef? reference, string path, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(reference?.Name) || string.IsNullOrWhiteSpace(reference.Key))
        {
            throw new SyncFailedException(SyncFailureReason.InvalidSpec, $"{path} needs a name and a key.", retryable: false);
        }

        return References.GetConfigMapValueAsync(reference.Name, reference.Key, cancellationToken);
    }
}
