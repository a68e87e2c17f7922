using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace DirectoryConnector.Operator.Runtime;

/// <summary>
/// N workers draining the work queue (the queue guarantees one worker per key). Success forgets the key's backoff and
/// requeues after the requested delay; a failure requeues with per-key backoff. Keys are never dropped. When the
/// queue drains, <paramref name="idle"/> (if any) hears of it.
/// </summary>
public sealed partial class Controller(
    WorkQueue queue,
    Func<string, CancellationToken, Task<ReconcileResult>> reconcile,
    int concurrency,
    OperatorMetrics metrics,
    ILogger logger,
    IdleMemoryRelease? idle = null)
{
    private int running;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        metrics.MaxConcurrentReconciles.WithLabels(OperatorMetrics.ControllerName).Set(concurrency);
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(() => WorkAsync(cancellationToken), CancellationToken.None)).ToList();
        if (idle is not null)
        {
            workers.Add(idle.RunAsync(IsIdle, cancellationToken));
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
    }

    private bool IsIdle() => Volatile.Read(ref running) == 0 && queue.Depth == 0;

    private async Task WorkAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            string key;
            try
            {
                key = await queue.GetAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await ProcessAsync(key, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ProcessAsync(string key, CancellationToken cancellationToken)
    {
        var active = metrics.ActiveWorkers.WithLabels(OperatorMetrics.ControllerName);
        active.Inc();
        Interlocked.Increment(ref running);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await reconcile(key, cancellationToken).ConfigureAwait(false);
            queue.Forget(key);
            if (result.RequeueAfter is { } delay)
            {
                queue.AddAfter(key, delay);
                metrics.ReconcileTotal.WithLabels(OperatorMetrics.ControllerName, "requeue_after").Inc();
            }
            else
            {
                metrics.ReconcileTotal.WithLabels(OperatorMetrics.ControllerName, "success").Inc();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down (or leadership lost): the next leader picks the key up from its own list.
        }
        catch (Exception ex)
        {
            var delay = queue.AddRateLimited(key);
            metrics.ReconcileErrors.WithLabels(OperatorMetrics.ControllerName).Inc();
            metrics.ReconcileTotal.WithLabels(OperatorMetrics.ControllerName, "error").Inc();
            if (ex is RequeueWithBackoffException)
            {
                LogRetrying(logger, key, delay.TotalSeconds, ex.Message);
            }
            else
            {
                LogReconcileFailed(logger, ex, key, delay.TotalSeconds);
            }
        }
        finally
        {
            queue.Done(key);
            active.Dec();
            if (Interlocked.Decrement(ref running) == 0 && queue.Depth == 0)
            {
                idle?.WentIdle();
            }

            metrics.ReconcileTime.WithLabels(OperatorMetrics.ControllerName).Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Retrying {Key} in {DelaySeconds:F1}s: {Reason}")]
    private static partial void LogRetrying(ILogger logger, string key, double delaySeconds, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reconcile of {Key} failed; retrying in {DelaySeconds:F1}s")]
    private static partial void LogReconcileFailed(ILogger logger, Exception exception, string key, double delaySeconds);
}
