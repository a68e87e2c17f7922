namespace DirectoryConnector.Operator.Reconciliation;

public enum SyncTrigger
{
    /// <summary>Not due: requeue after the remaining interval.</summary>
    None,
    NeverSynced,
    Interrupted,
    SpecChanged,
    SyncRequested,
    ReferenceChanged,
    RetryAfterFailure,
    IntervalElapsed,
}
