namespace DirectoryConnector.Operator.Runtime;

/// <summary>What the work queue reports (the workqueue_* series).</summary>
public interface IWorkQueueMetrics
{
    void Added();

    void Retried();

    void DepthChanged(int depth);

    void Dequeued(TimeSpan waited);

    void WorkDone(TimeSpan worked);
}
