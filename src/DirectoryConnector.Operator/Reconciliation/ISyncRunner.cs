using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sync;

namespace DirectoryConnector.Operator.Reconciliation;

/// <summary>Runs one sync of a spec the reconciler checked: builds its source and hands it to the engine. Throws
/// SyncFailedException(InvalidSpec) when the check found problems.</summary>
public interface ISyncRunner
{
    Task<SyncOutcome> RunAsync(CheckedSpec spec, IReferenceResolver references, SyncState? previous, SyncRunOptions options, CancellationToken cancellationToken);
}
