using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sync;

namespace DirectoryConnector.Operator.Reconciliation;

public sealed class EngineSyncRunner(SyncEngine engine) : ISyncRunner
{
    public async Task<SyncOutcome> RunAsync(CheckedSpec spec, IReferenceResolver references, SyncState? previous, SyncRunOptions options, CancellationToken cancellationToken)
    {
        var source = await spec.CreateSourceAsync(references, cancellationToken).ConfigureAwait(false);
        return await engine.SyncAsync(spec, source, references, previous, options, cancellationToken).ConfigureAwait(false);
    }
}
