namespace DirectoryConnector.Operator.Runtime;

/// <summary>What the worker does with the key afterwards: requeue after a delay, or wait for the next change.</summary>
public sealed record ReconcileResult(TimeSpan? RequeueAfter)
{
    public static ReconcileResult Done { get; } = new((TimeSpan?)null);
}
