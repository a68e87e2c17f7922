namespace DirectoryConnector.Operator.Runtime;

/// <summary>
/// A rate-limited, delaying work queue with client-go semantics: a key is queued at most once (dirty set), a key being
/// processed is never handed to a second worker (processing set) and is queued again after <see cref="Done"/> when it
/// was added meanwhile, delayed adds keep the earliest due time, and failures back off per key until
/// <see cref="Forget"/>. Keys are never dropped.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "client-go's name for this structure.")]
public sealed class WorkQueue : IDisposable
{
    private static readonly TimeSpan ClockMovedTolerance = TimeSpan.FromMilliseconds(1);
    private readonly object gate = new();
    private readonly Queue<string> ready = new();
    private readonly HashSet<string> dirty = [];
    private readonly HashSet<string> processing = [];
    private readonly Dictionary<string, DateTimeOffset> waiting = [];
    private readonly Dictionary<string, int> failures = [];
    private readonly Dictionary<string, DateTimeOffset> addedAt = [];
    private readonly Dictionary<string, DateTimeOffset> startedAt = [];
    private readonly SemaphoreSlim readyCount = new(0);
    private readonly TimeProvider time;
    private readonly TimeSpan retryBaseDelay;
    private readonly TimeSpan retryMaxDelay;
    private readonly IWorkQueueMetrics? metrics;
    private readonly CancellationTokenSource shutdown = new();
    private readonly Task delayLoop;
    private TaskCompletionSource wakeDelayLoop = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public WorkQueue(TimeSpan retryBaseDelay, TimeSpan retryMaxDelay, TimeProvider? time = null, IWorkQueueMetrics? metrics = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(retryBaseDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(retryMaxDelay, retryBaseDelay);
        this.retryBaseDelay = retryBaseDelay;
        this.retryMaxDelay = retryMaxDelay;
        this.time = time ?? TimeProvider.System;
        this.metrics = metrics;
        delayLoop = Task.Run(RunDelayLoopAsync);
    }

    /// <summary>Keys ready to be handed to a worker.</summary>
    public int Depth
    {
        get { lock (gate) { return ready.Count; } }
    }

    /// <summary>Queues the key now unless it is already queued.</summary>
    public void Add(string key)
    {
        lock (gate)
        {
            AddLocked(key);
        }
    }

    /// <summary>Queues the key after <paramref name="delay"/>; an earlier pending delayed add wins.</summary>
    public void AddAfter(string key, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(key);
            return;
        }

        metrics?.Retried();
        var due = time.GetUtcNow() + delay;
        lock (gate)
        {
            if (waiting.TryGetValue(key, out var existing) && existing <= due)
            {
                return;
            }

            waiting[key] = due;
            wakeDelayLoop.TrySetResult();
        }
    }

    /// <summary>Queues the key after its per-key exponential backoff, which grows with each call until <see cref="Forget"/>.</summary>
    public TimeSpan AddRateLimited(string key)
    {
        TimeSpan delay;
        lock (gate)
        {
            var count = failures.GetValueOrDefault(key);
            failures[key] = count + 1;
            delay = BackoffFor(count);
        }

        AddAfter(key, delay);
        return delay;
    }

    /// <summary>Resets the key's failure backoff.</summary>
    public void Forget(string key)
    {
        lock (gate)
        {
            failures.Remove(key);
        }
    }

    public int NumRequeues(string key)
    {
        lock (gate)
        {
            return failures.GetValueOrDefault(key);
        }
    }

    /// <summary>Waits for a key and marks it as processing; the caller must call <see cref="Done"/>.</summary>
    public async Task<string> GetAsync(CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, shutdown.Token);
        await readyCount.WaitAsync(linked.Token).ConfigureAwait(false);
        lock (gate)
        {
            var key = ready.Dequeue();
            dirty.Remove(key);
            processing.Add(key);
            var now = time.GetUtcNow();
            if (addedAt.Remove(key, out var added))
            {
                metrics?.Dequeued(now - added);
            }

            startedAt[key] = now;
            metrics?.DepthChanged(ready.Count);
            return key;
        }
    }

    /// <summary>Ends processing of the key; queues it again if it was added while it was processed.</summary>
    public void Done(string key)
    {
        lock (gate)
        {
            processing.Remove(key);
            if (startedAt.Remove(key, out var started))
            {
                metrics?.WorkDone(time.GetUtcNow() - started);
            }

            if (dirty.Contains(key))
            {
                EnqueueReadyLocked(key);
            }
        }
    }

    public void Dispose()
    {
        shutdown.Cancel();
        lock (gate)
        {
            wakeDelayLoop.TrySetResult();
        }

        try
        {
            delayLoop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The delay loop only ends by cancellation.
        }

        shutdown.Dispose();
        readyCount.Dispose();
    }

    internal TimeSpan BackoffFor(int previousFailures)
    {
        // base × 2^n, capped; computed in doubles so large n cannot overflow.
        var seconds = retryBaseDelay.TotalSeconds * Math.Pow(2, Math.Min(previousFailures, 62));
        return seconds >= retryMaxDelay.TotalSeconds ? retryMaxDelay : TimeSpan.FromSeconds(seconds);
    }

    private void AddLocked(string key)
    {
        metrics?.Added();
        if (!dirty.Add(key))
        {
            return;
        }

        addedAt.TryAdd(key, time.GetUtcNow());
        if (!processing.Contains(key))
        {
            EnqueueReadyLocked(key);
        }
    }

    private void EnqueueReadyLocked(string key)
    {
        ready.Enqueue(key);
        metrics?.DepthChanged(ready.Count);
        readyCount.Release();
    }

    private async Task RunDelayLoopAsync()
    {
        while (!shutdown.IsCancellationRequested)
        {
            Task wake;
            TimeSpan? wait = null;
            DateTimeOffset now;
            lock (gate)
            {
                now = time.GetUtcNow();
                foreach (var (key, due) in waiting.Where(w => w.Value <= now).ToList())
                {
                    waiting.Remove(key);
                    AddLocked(key);
                }

                if (waiting.Count > 0)
                {
                    wait = waiting.Values.Min() - now;
                }

                if (wakeDelayLoop.Task.IsCompleted)
                {
                    wakeDelayLoop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                wake = wakeDelayLoop.Task;
            }

            // A fresh timer per round, cancelled afterwards, so wake-ups do not pile up pending timers.
            using var round = CancellationTokenSource.CreateLinkedTokenSource(shutdown.Token);
            var delay = wait is { } w2 ? (w2 < TimeSpan.Zero ? TimeSpan.Zero : w2) : Timeout.InfiniteTimeSpan;
            var timer = Task.Delay(delay, time, round.Token);
            // A timer counts from its creation, not from `now`: when the clock moved in between (an injected clock
            // advanced, or this thread stalled) it would fire late, so look again instead of waiting on it.
            if (wait is null || time.GetUtcNow() - now <= ClockMovedTolerance)
            {
                await Task.WhenAny(wake, timer).ConfigureAwait(false);
            }

            await round.CancelAsync().ConfigureAwait(false);
        }
    }
}
