using DirectoryConnector.Operator.Resources;

namespace DirectoryConnector.Operator.Reconciliation;

/// <summary>Whether a sync is due now, why, and otherwise when it will be.</summary>
public sealed record SyncDecision(SyncTrigger Trigger, TimeSpan RequeueAfter)
{
    public bool Due => Trigger != SyncTrigger.None;

    /// <summary>The hash skip is bypassed when someone asked for a sync explicitly.</summary>
    public bool Force => Trigger == SyncTrigger.SyncRequested;

    public static SyncDecision Decide(DirectorySyncStatus? status, SyncRevision current, TimeSpan interval, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(current);
        var synced = SyncRevision.TryParse(status?.SyncedRevision);
        if (status?.LastSyncTime is not { } lastSync || synced is null)
        {
            return Now(SyncTrigger.NeverSynced, interval);
        }

        if (Conditions.IsTrue(status.Conditions, Conditions.Reconciling))
        {
            return Now(SyncTrigger.Interrupted, interval);
        }

        if (synced.RequestedAt != current.RequestedAt)
        {
            return Now(SyncTrigger.SyncRequested, interval);
        }

        if (synced.Generation != current.Generation)
        {
            return Now(SyncTrigger.SpecChanged, interval);
        }

        if (!synced.Equals(current))
        {
            return Now(SyncTrigger.ReferenceChanged, interval);
        }

        // A retryable failure left Ready False without Stalled: the work queue's backoff paces these retries.
        var ready = Conditions.Find(status.Conditions, Conditions.Ready);
        if (ready?.Status == Conditions.False && !Conditions.IsTrue(status.Conditions, Conditions.Stalled))
        {
            return Now(SyncTrigger.RetryAfterFailure, interval);
        }

        var dueAt = lastSync.ToUniversalTime() + interval;
        var nowUtc = now.ToUniversalTime();
        return dueAt <= nowUtc ? Now(SyncTrigger.IntervalElapsed, interval) : new SyncDecision(SyncTrigger.None, dueAt - nowUtc);
    }

    private static SyncDecision Now(SyncTrigger trigger, TimeSpan interval) => new(trigger, interval);
}
