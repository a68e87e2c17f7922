using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources.Filters;
using DirectoryConnector.Engine.Sync;

namespace DirectoryConnector.Engine.Sources;

/// <summary>What a provider needs to build its source: the whole checked spec, its parsed filters and the
/// DirectorySync's Secrets and ConfigMaps.</summary>
public sealed class SourceContext(CheckedSpec spec, IReferenceResolver references)
{
    private readonly CheckedSpec _checked = spec ?? throw new ArgumentNullException(nameof(spec));

    public DirectorySyncSpec Spec => _checked.Spec;

    /// <summary>spec.filters as written (never null); LDAP's raw filters.</summary>
    public FiltersSpec Filters => Spec.Filters ?? new FiltersSpec();

    /// <summary>spec.filters.users as the provider's filter syntax parsed it during validation.</summary>
    public SourceFilter UsersFilter => _checked.UsersFilter;

    /// <summary>spec.filters.groups as the provider's filter syntax parsed it during validation.</summary>
    public SourceFilter GroupsFilter => _checked.GroupsFilter;

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

        return References.GetSecretValueAsync(reference.Name, reference.Key, $"{path}.key", cancellationToken);
    }

    /// <summary>As <see cref="GetSecretAsync"/> for a ConfigMap key.</summary>
    public Task<string> GetConfigMapAsync(ConfigMapKeyRef? reference, string path, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(reference?.Name) || string.IsNullOrWhiteSpace(reference.Key))
        {
            throw new SyncFailedException(SyncFailureReason.InvalidSpec, $"{path} needs a name and a key.", retryable: false);
        }

        return References.GetConfigMapValueAsync(reference.Name, reference.Key, $"{path}.key", cancellationToken);
    }
}
