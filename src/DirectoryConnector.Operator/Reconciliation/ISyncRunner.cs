using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sync;

namespace DirectoryConnector.Operator.Reconciliation;

/// <summary>Runs one sync of a spec: builds its source and hands it to the engine.</summary>
public interface ISyncRunner
{
    Task<SyncOutcome> RunAsync(DirectorySyncSpec spec, IReferenceResolver references, SyncState? previous, SyncRunOptions options, CancellationToken cancellationToken);
}
