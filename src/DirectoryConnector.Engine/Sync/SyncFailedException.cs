namespace DirectoryConnector.Engine.Sync;

/// <summary>A sync that did not complete. Messages name the field or entry at fault and never contain secrets. They are
/// the same in the operator and the one-shot CLI, so they name no host ("this pod") and promise no retry: whether
/// retrying can help is <see cref="Retryable"/>, which each host words itself (the operator's Reconciling and Stalled
/// conditions, the CLI's exit code).</summary>
public sealed class SyncFailedException(SyncFailureReason reason, string message, bool retryable, Exception? innerException = null)
    : Exception(message, innerException)
{
    public SyncFailureReason Reason { get; } = reason;

    /// <summary>True when trying again later may succeed (network, 5xx, 429); false when the input must change.</summary>
    public bool Retryable { get; } = retryable;

    /// <summary>With DeletionGuardTriggered: what the sync would have removed.</summary>
    public Planning.DeletionGuardReport? DeletionGuard { get; init; }

    /// <summary>When an import stopped after some of its requests were applied: the state to keep, with the shards
    /// those requests completed advanced (<see cref="SyncEngine.FailedAttempt"/> uses it); null otherwise.</summary>
    public SyncState? PartialState { get; init; }
}
