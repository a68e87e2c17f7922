using Prometheus;

namespace DirectoryConnector.Operator.Runtime;

/// <summary>
/// The operator's Prometheus series, in their own registry so several hosts can share a process (tests). Names follow
/// controller-runtime (so stock dashboards work) and operator-design.md §7.2 for the directorysync_* family.
/// </summary>
public sealed class OperatorMetrics
{
    public const string ControllerName = "directorysync";

    private static readonly double[] DurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 20, 30, 45, 60];

    public OperatorMetrics()
    {
        var factory = Metrics.WithCustomRegistry(Registry);
        ReconcileTotal = factory.CreateCounter("controller_runtime_reconcile_total", "Total number of reconciliations per controller.", "controller", "result");
        ReconcileErrors = factory.CreateCounter("controller_runtime_reconcile_errors_total", "Total number of reconciliation errors per controller.", "controller");
        ReconcileTime = factory.CreateHistogram("controller_runtime_reconcile_time_seconds", "Length of time per reconciliation per controller.", new HistogramConfiguration { LabelNames = ["controller"], Buckets = DurationBuckets });
        ActiveWorkers = factory.CreateGauge("controller_runtime_active_workers", "Number of currently used workers per controller.", "controller");
        MaxConcurrentReconciles = factory.CreateGauge("controller_runtime_max_concurrent_reconciles", "Maximum number of concurrent reconciles per controller.", "controller");
        QueueDepth = factory.CreateGauge("workqueue_depth", "Current depth of workqueue.", "name", "controller");
        QueueAdds = factory.CreateCounter("workqueue_adds_total", "Total number of adds handled by workqueue.", "name", "controller");
        QueueRetries = factory.CreateCounter("workqueue_retries_total", "Total number of retries handled by workqueue.", "name", "controller");
        QueueDuration = factory.CreateHistogram("workqueue_queue_duration_seconds", "How long in seconds an item stays in workqueue before being requested.", new HistogramConfiguration { LabelNames = ["name", "controller"], Buckets = Histogram.ExponentialBuckets(1e-8, 10, 11) });
        WorkDuration = factory.CreateHistogram("workqueue_work_duration_seconds", "How long in seconds processing an item from workqueue takes.", new HistogramConfiguration { LabelNames = ["name", "controller"], Buckets = Histogram.ExponentialBuckets(1e-8, 10, 11) });
        LeaderStatus = factory.CreateGauge("leader_election_master_status", "Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master.", "name");
        SyncTotal = factory.CreateCounter("directorysync_sync_total", "Syncs run, by result: success (changes posted), unchanged, dry_run or error.", "name", "namespace", "result");
        SyncErrors = factory.CreateCounter("directorysync_sync_errors_total", "Failed syncs by reason.", "name", "namespace", "reason");
        StatusCondition = factory.CreateGauge("directorysync_status_condition", "1 for the current status of each condition, 0 for the other statuses.", "name", "namespace", "condition", "status");
        SyncDuration = factory.CreateHistogram("directorysync_sync_duration_seconds", "Duration of a sync in seconds.", new HistogramConfiguration { LabelNames = ["name", "namespace"], Buckets = DurationBuckets });
        LastSuccess = factory.CreateGauge("directorysync_last_success_timestamp_seconds", "Unix time of the last successful sync.", "name", "namespace");
        Created = factory.CreateGauge("directorysync_created_timestamp_seconds", "Unix time the DirectorySync was created (metadata.creationTimestamp); DirectorySyncStale counts from it until a first success.", "name", "namespace");
        Interval = factory.CreateGauge("directorysync_interval_seconds", "The spec.interval in force, in seconds; absent while suspended or invalid (the DirectorySyncStale alert divides by it).", "name", "namespace");
        ConditionReason = factory.CreateGauge("directorysync_status_condition_reason", "1 for the current reason of each condition (the alerts name it).", "name", "namespace", "condition", "reason");
        DirectoryObjects = factory.CreateGauge("directorysync_directory_objects", "Users and groups sent by the last sync.", "name", "namespace", "kind");
        PendingDeletions = factory.CreateGauge("directorysync_deletion_guard_pending_deletions", "Members and groups a sync stopped by spec.sync.maxDeletions would remove (0 when none is waiting for approval).", "name", "namespace", "kind");
        Changes = factory.CreateCounter("directorysync_changes_total", "Changes made in the organization: added, linked, removed members, created, renamed, deleted groups, and entries left out for a server conflict.", "name", "namespace", "change");
        EventWriteErrors = factory.CreateCounter("directorysync_event_write_errors_total", "Events the operator could not record (the API server failed or refused the write), by event reason.", "reason");
        MaxConcurrentReconciles.WithLabels(ControllerName).Set(0);
        ActiveWorkers.WithLabels(ControllerName).Set(0);
        QueueDepth.WithLabels(ControllerName, ControllerName).Set(0);
        LeaderStatus.WithLabels(ControllerName).Set(0);
    }

    public CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();

    public Counter ReconcileTotal { get; }

    public Counter ReconcileErrors { get; }

    public Histogram ReconcileTime { get; }

    public Gauge ActiveWorkers { get; }

    public Gauge MaxConcurrentReconciles { get; }

    public Gauge QueueDepth { get; }

    public Counter QueueAdds { get; }

    public Counter QueueRetries { get; }

    public Histogram QueueDuration { get; }

    public Histogram WorkDuration { get; }

    public Gauge LeaderStatus { get; }

    public Counter SyncTotal { get; }

    public Counter SyncErrors { get; }

    public Gauge StatusCondition { get; }

    public Histogram SyncDuration { get; }

    public Gauge LastSuccess { get; }

    /// <summary>metadata.creationTimestamp, as kube-state-metrics' <c>*_created</c> series: a DirectorySync that never
    /// synced is stale three intervals after it was created.</summary>
    public Gauge Created { get; }

    public Gauge DirectoryObjects { get; }

    public Gauge PendingDeletions { get; }

    public Counter Changes { get; }

    public Gauge Interval { get; }

    public Gauge ConditionReason { get; }

    public Counter EventWriteErrors { get; }

    public IWorkQueueMetrics ForQueue(string name) => new QueueMetrics(this, name);

    /// <summary>Writes 1 for the condition's current status and 0 for the others (ESO's pattern).</summary>
    public void SetCondition(string namespaceName, string name, string condition, string status, string reason)
    {
        foreach (var candidate in new[] { "True", "False", "Unknown" })
        {
            StatusCondition.WithLabels(name, namespaceName, condition, candidate).Set(candidate == status ? 1 : 0);
        }

        // Only the current reason has a series, so a query for it returns exactly one.
        foreach (var labels in ConditionReason.GetAllLabelValues().Where(l => l[0] == name && l[1] == namespaceName && l[2] == condition && l[3] != reason).ToList())
        {
            ConditionReason.RemoveLabelled(labels);
        }

        ConditionReason.WithLabels(name, namespaceName, condition, reason).Set(1);
    }

    /// <summary>Removes every per-object series of a deleted DirectorySync.</summary>
    public void Forget(string namespaceName, string name)
    {
        // Every per-object family starts with the labels name, namespace.
        RemoveSeries(SyncTotal, namespaceName, name);
        RemoveSeries(SyncErrors, namespaceName, name);
        RemoveSeries(StatusCondition, namespaceName, name);
        RemoveSeries(SyncDuration, namespaceName, name);
        RemoveSeries(LastSuccess, namespaceName, name);
        RemoveSeries(Created, namespaceName, name);
        RemoveSeries(DirectoryObjects, namespaceName, name);
        RemoveSeries(PendingDeletions, namespaceName, name);
        RemoveSeries(Changes, namespaceName, name);
        RemoveSeries(Interval, namespaceName, name);
        RemoveSeries(ConditionReason, namespaceName, name);
    }

    private static void RemoveSeries<TChild>(Collector<TChild> collector, string namespaceName, string name)
        where TChild : ChildBase
    {
        foreach (var labels in collector.GetAllLabelValues().Where(l => l.Length >= 2 && l[0] == name && l[1] == namespaceName).ToList())
        {
            collector.RemoveLabelled(labels);
        }
    }

    public async Task WriteAsync(Stream destination, CancellationToken cancellationToken)
        => await Registry.CollectAndExportAsTextAsync(destination, cancellationToken).ConfigureAwait(false);

    private sealed class QueueMetrics(OperatorMetrics metrics, string name) : IWorkQueueMetrics
    {
        public void Added() => metrics.QueueAdds.WithLabels(name, ControllerName).Inc();

        public void Retried() => metrics.QueueRetries.WithLabels(name, ControllerName).Inc();

        public void DepthChanged(int depth) => metrics.QueueDepth.WithLabels(name, ControllerName).Set(depth);

        public void Dequeued(TimeSpan waited) => metrics.QueueDuration.WithLabels(name, ControllerName).Observe(waited.TotalSeconds);

        public void WorkDone(TimeSpan worked) => metrics.WorkDuration.WithLabels(name, ControllerName).Observe(worked.TotalSeconds);
    }
}
