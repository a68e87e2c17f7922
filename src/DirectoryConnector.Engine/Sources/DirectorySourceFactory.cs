using DirectoryConnector.Engine.Configuration;
using Microsoft.Extensions.Logging;

namespace DirectoryConnector.Engine.Sources;

/// <summary>Builds the source a spec names, resolving its Secrets (CONTRACT: body filled in by the sources work).</summary>
public sealed class DirectorySourceFactory(ILoggerFactory loggerFactory)
{
    /// <summary>Throws SyncFailedException(InvalidSpec) naming the field when no source or several are set,
    /// SecretNotFound when a referenced Secret is missing.</summary>
    public Task<IDirectorySource> CreateAsync(DirectorySyncSpec spec, IReferenceResolver references, CancellationToken cancellationToken)
        => throw new NotImplementedException($"contract placeholder {loggerFactory}");
}
