using DirectoryConnector.Engine.Configuration;

namespace DirectoryConnector.Engine.Sources;

/// <summary>
/// One kind of directory source (LDAP, file, Okta, ...), registered through DI like external-secrets' providers.
/// It owns its spec (a property of <see cref="SourceSpec"/>), its validation, its filter syntax and building its
/// <see cref="IDirectorySource"/>. Implement it by deriving from <see cref="SourceProvider{TSpec}"/>; every host loops over the registered providers.
/// </summary>
public interface ISourceProvider
{
    /// <summary>The source's field name under spec.source, e.g. "ldap".</summary>
    string Kind { get; }

    /// <summary>The spec path of the source, e.g. "spec.source.ldap".</summary>
    string Path { get; }

    /// <summary>True when <paramref name="source"/> sets this provider's field.</summary>
    bool IsSetIn(SourceSpec source);

    /// <summary>Adds every problem of this source's spec and of spec.filters to <paramref name="validation"/>, and
    /// leaves the parsed filters there.</summary>
    void Validate(SourceSpec source, SourceValidation validation);

    /// <summary>CLI only: makes paths in the spec that are relative to the manifest absolute.</summary>
    void ResolveRelativePaths(SourceSpec source, string manifestFolder);

    /// <summary>Builds the source, resolving its Secrets. Throws <see cref="Sync.SyncFailedException"/>
    /// (InvalidSpec, SecretNotFound) naming the field.</summary>
    Task<IDirectorySource> CreateAsync(SourceContext context, CancellationToken cancellationToken);
}
